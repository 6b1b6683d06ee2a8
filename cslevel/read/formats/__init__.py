"""Read stage, the file formats: one module per way a workbook comes, used by
`read.workbook.read_sheets` (the entry point, which tells the format from the content).

- `sheet`: the `Sheet` every reader gives, and the refusals and notes they share;
- `containers`: zip packages (.xlsx, .xlsb, .ods) and OLE compound files (.xls, .et,
  encrypted workbooks), checked before any parser sees them;
- `text`: delimited text (CSV/TSV), web pages holding tables, Excel 2003 XML;
- `fast`: the fast reader (python-calamine), and the explaining fallback (openpyxl) for
  cells it shows as blank;
- the scans of a package's sheets made before the fast reader sees them (see
  `read.sheetxml`): `extent` (the decision), `xmlstream` (a part's bytes and tags), `xlsx`,
  `ods`, `xlsb`, `xls`, and `links` (values from other workbooks).
"""
