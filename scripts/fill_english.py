"""English is the source language of the UI copy, so the English catalog
translates every message to itself; run after `pybabel update`."""

from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "portal/translations/en/LC_MESSAGES/messages.po"

with PO.open("rb") as handle:
    catalog = read_po(handle, locale="en")
for message in catalog:
    if not message.id:
        continue
    message.string = message.id
    message.flags.discard("fuzzy")
with PO.open("wb") as handle:
    write_po(handle, catalog, width=100)
