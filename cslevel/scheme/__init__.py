"""Templates: a template file -> a validated `Scheme` (the package behind `cslevel.templates`,
which names what the other stages use; not called `templates`, the folder of the shipped
template files in the installed package).

- `names`: labels compared as a clerk means them (normalize_label);
- `fields`: the numbers a template may hold (figures, counts, money, bounds);
- `models`: the `Scheme` and its levels and columns, made of `promotion`, `score`
  (metrics, raw rows, the points scheme's profile), `attendance` and `pay`;
- `messages`: pydantic's complaints about a template, in the language in force;
- `load`: YAML read safely (numbers as Decimals) and validated, the shipped templates, a
  pay table applied.
"""
