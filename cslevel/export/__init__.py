"""Export stage: results workbook, sign-off list, payroll workbook/CSV, console summary."""
