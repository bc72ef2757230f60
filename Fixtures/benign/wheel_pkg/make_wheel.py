#!/usr/bin/python3
"""Writes a pure-python wheel (hello_agent 1.0, console script hello-agent)
into DIR, so pip can install it with --no-index and no build step."""
import base64
import hashlib
import sys
import zipfile

out = sys.argv[1]
name, version = "hello_agent", "1.0"
files = {
    "hello_agent/__init__.py": "def main():\n    print('hello from the wheel')\n",
    f"{name}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: hello-agent\nVersion: {version}\n",
    f"{name}-{version}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: make_wheel\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    f"{name}-{version}.dist-info/entry_points.txt": "[console_scripts]\nhello-agent = hello_agent:main\n",
}
record = []
path = f"{out}/{name}-{version}-py3-none-any.whl"
with zipfile.ZipFile(path, "w") as z:
    for n, text in files.items():
        data = text.encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{n},sha256={digest},{len(data)}")
        z.writestr(n, data)
    rec = f"{name}-{version}.dist-info/RECORD"
    z.writestr(rec, "\n".join(record + [f"{rec},,"]) + "\n")
print(path)
