"""Generate the Group Policy template (chambers.admx + en-US/chambers.adml) from the schema.

Every policy key (app.policy.KEYS) and every user setting IT may fix (app.config.Settings)
becomes one policy under Computer Configuration > Administrative Templates > Chambers,
writing ``HKLM\\SOFTWARE\\Policies\\Chambers\\<section>`` value ``<name>``, which is what
app.policy_sources.WindowsRegistryPolicy reads. Switches are REG_DWORD 0/1, numbers
REG_DWORD, text REG_SZ, and list-valued keys REG_SZ holding JSON.

    python -m installer.windows.make_admx OUTDIR
"""

from __future__ import annotations

import re
import sys
from dataclasses import fields
from pathlib import Path
from xml.sax.saxutils import escape

from app.config import Settings
from app.policy import KEYS

NS = "Chambers.Policies"
REG = r"SOFTWARE\Policies\Chambers"


def _entries() -> list[tuple[str, str, str, str, tuple[int, int] | None]]:
    """(section, name, kind, explanation, range) for every policy and managed setting."""
    out: list[tuple[str, str, str, str, tuple[int, int] | None]] = []
    for (section, name), key in sorted(KEYS.items()):
        match = re.match(r"an integer (\d+)\.\.(\d+)", key.expected)
        if key.expected == "true or false":
            out.append((section, name, "boolean", key.expected, None))
        elif match:
            out.append((section, name, "decimal", key.expected, (int(match[1]), int(match[2]))))
        else:
            out.append((section, name, "text", key.expected, None))
    for item in fields(Settings):
        default = getattr(Settings(), item.name)
        kind = {bool: "boolean", int: "decimal"}.get(type(default), "text")
        limit = (0, 100_000) if kind == "decimal" else None
        out.append(
            ("settings", item.name, kind, f"fixes the user setting (default {default!r})", limit)
        )
    return out


def admx() -> str:
    policies = []
    for section, name, kind, _, limit in _entries():
        pid = f"{section}_{name}"
        key = f"{REG}\\{section}"
        if kind == "boolean":
            body = (
                '      <enabledValue><decimal value="1" /></enabledValue>\n'
                '      <disabledValue><decimal value="0" /></disabledValue>\n'
            )
            value_name = f' valueName="{name}"'
            elements = ""
        else:
            body = ""
            value_name = ""
            if kind == "decimal":
                low, high = limit or (0, 100_000)
                element = f'<decimal id="{pid}_v" valueName="{name}" minValue="{low}" maxValue="{high}" />'
            else:
                element = f'<text id="{pid}_v" valueName="{name}" maxLength="4096" />'
            elements = f"      <elements>\n        {element}\n      </elements>\n"
        policies.append(
            f'    <policy name="{pid}" class="Machine" displayName="$(string.{pid})" '
            f'explainText="$(string.{pid}_help)" presentation="$(presentation.{pid})" '
            f'key="{escape(key)}"{value_name}>\n'
            f'      <parentCategory ref="cat_{section}" />\n'
            f'      <supportedOn ref="windows:SUPPORTED_Windows10" />\n{body}{elements}'
            f"    </policy>"
        )
    sections = sorted({e[0] for e in _entries()})
    categories = "\n".join(
        f'    <category name="cat_{s}" displayName="$(string.cat_{s})"><parentCategory ref="chambers" /></category>'
        for s in sections
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<policyDefinitions xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions" '
        'revision="1.0" schemaVersion="1.0">\n'
        f'  <policyNamespaces>\n    <target prefix="chambers" namespace="{NS}" />\n'
        '    <using prefix="windows" namespace="Microsoft.Policies.Windows" />\n  </policyNamespaces>\n'
        '  <resources minRequiredRevision="1.0" />\n'
        '  <categories>\n    <category name="chambers" displayName="$(string.chambers)" />\n'
        f"{categories}\n  </categories>\n  <policies>\n" + "\n".join(policies) + "\n  </policies>\n"
        "</policyDefinitions>\n"
    )


def adml() -> str:
    strings = ['    <string id="chambers">Chambers</string>']
    presentations = []
    for section in sorted({e[0] for e in _entries()}):
        strings.append(f'    <string id="cat_{section}">{escape(section)}</string>')
    for section, name, kind, explanation, _ in _entries():
        pid = f"{section}_{name}"
        strings.append(f'    <string id="{pid}">{escape(section)}.{escape(name)}</string>')
        help_text = f"{section}.{name}: {explanation}. Machine policy; users can only tighten it."
        if kind == "text":
            help_text += " List values are entered as JSON."
        strings.append(f'    <string id="{pid}_help">{escape(help_text)}</string>')
        if kind == "decimal":
            control = f'<decimalTextBox refId="{pid}_v">{escape(name)}</decimalTextBox>'
        elif kind == "text":
            control = f'<textBox refId="{pid}_v"><label>{escape(name)}</label></textBox>'
        else:
            control = ""
        presentations.append(f'      <presentation id="{pid}">{control}</presentation>')
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<policyDefinitionResources xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions" '
        'revision="1.0" schemaVersion="1.0">\n  <displayName>Chambers</displayName>\n'
        "  <description>Chambers machine policy</description>\n  <resources>\n"
        "    <stringTable>\n" + "\n".join(strings) + "\n    </stringTable>\n"
        "    <presentationTable>\n" + "\n".join(presentations) + "\n    </presentationTable>\n"
        "  </resources>\n</policyDefinitionResources>\n"
    )


def write(out: Path) -> tuple[Path, Path]:
    (out / "en-US").mkdir(parents=True, exist_ok=True)
    admx_path, adml_path = out / "chambers.admx", out / "en-US" / "chambers.adml"
    admx_path.write_text(admx(), encoding="utf-8")
    adml_path.write_text(adml(), encoding="utf-8")
    return admx_path, adml_path


if __name__ == "__main__":
    for path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "dist/windows/admx")):
        print(path)
