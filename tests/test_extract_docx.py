"""extract() on DOCX: body order, headings, numbering labels, tables; no headers/footers."""

import pytest

from policycheck.extract import extract
from policycheck.model import HEADING, LIST_ITEM, PARAGRAPH, TABLE_ROW

try:
    from extract_fixtures import build_policy_docx
except ImportError:  # tests/ imported as a package
    from tests.extract_fixtures import build_policy_docx


@pytest.fixture(scope="module")
def docx_doc(tmp_path_factory):
    path = build_policy_docx(tmp_path_factory.mktemp("docx") / "regeling.docx")
    return extract(str(path))


def test_docx_blocks_in_body_order(docx_doc):
    assert docx_doc.format == "docx" and docx_doc.pages is None
    assert [(b.kind, b.text) for b in docx_doc.blocks] == [
        (HEADING, "Subsidieregeling sociaal ondernemen"),
        (HEADING, "Hoofdstuk 4 Subsidieverlening"),
        (HEADING, "Artikel 12 Weigeringsgronden"),
        (PARAGRAPH, "Subsidie wordt geweigerd in de volgende gevallen."),
        (LIST_ITEM, "1. de aanvrager heeft een winstoogmerk;"),
        (LIST_ITEM, "2. de activiteit past niet in het beleid."),
        (LIST_ITEM, "• sociale ondernemingen"),
        (TABLE_ROW, "Regeling | Bedrag | Plafond"),
        (TABLE_ROW, "Startsubsidie | € 5.000 | € 100.000"),
        (TABLE_ROW, "Groeisubsidie | € 20.000 | "),  # vertical merge: text only once
        (TABLE_ROW, "Alle bedragen per jaar"),  # horizontal merge: not repeated
        (HEADING, "Artikel 13 Slotbepaling"),
        (PARAGRAPH, "Deze regeling treedt in werking op 1 januari 2025."),
    ]


def test_docx_paragraph_numbers_and_title(docx_doc):
    assert [b.paragraph for b in docx_doc.blocks] == list(range(1, 14))
    assert all(b.page is None and not b.boxes for b in docx_doc.blocks)
    assert docx_doc.title == "Subsidieregeling sociaal ondernemen"
    assert docx_doc.blocks[4].location_label() == "¶ 5"


def test_docx_heading_paths(docx_doc):
    h4, a12 = "Hoofdstuk 4 Subsidieverlening", "Artikel 12 Weigeringsgronden"
    paths = [b.heading_path for b in docx_doc.blocks]
    assert paths[2] == [h4, a12]
    assert paths[3] == [h4, a12]
    assert paths[4] == [h4, a12, "lid 1"]
    assert paths[5] == [h4, a12, "lid 2"]
    assert paths[7] == [h4, a12]
    assert paths[11] == [h4, "Artikel 13 Slotbepaling"]
    assert paths[12] == [h4, "Artikel 13 Slotbepaling"]


def test_docx_headers_and_footers_are_not_read(docx_doc):
    assert "KOPTEKST" not in docx_doc.text
    assert "VOETTEKST" not in docx_doc.text


def test_docx_named_txt_warns(tmp_path):
    path = build_policy_docx(tmp_path / "regeling.txt")
    doc = extract(str(path))
    assert doc.format == "docx"
    assert doc.warnings == ["bestandsnaam eindigt op .txt maar de inhoud is een DOCX-bestand"]


def test_docx_numbering_formats(tmp_path):
    """Letters and restarts from the numbering part (lowerLetter, decimal with startOverride)."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.append(
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%1."/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerRoman"/><w:lvlText w:val="%2)"/></w:lvl>'
            "</w:abstractNum>"
        )
    )
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))

    def item(text, ilvl=0):
        paragraph = document.add_paragraph(text)
        paragraph._p.get_or_add_pPr().append(
            parse_xml(
                f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="90"/></w:numPr>'
            )
        )

    item("eerste")
    item("tweede")
    item("onderdeel", ilvl=1)
    item("onderdeel twee", ilvl=1)
    item("derde")
    path = tmp_path / "lijst.docx"
    document.save(str(path))
    doc = extract(str(path))
    assert [(b.kind, b.text) for b in doc.blocks] == [
        (LIST_ITEM, "a. eerste"),
        (LIST_ITEM, "b. tweede"),
        (LIST_ITEM, "i) onderdeel"),
        (LIST_ITEM, "ii) onderdeel twee"),
        (LIST_ITEM, "c. derde"),
    ]


def test_docx_dutch_style_names_and_unnumbered_headings(tmp_path):
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    kop1 = document.styles.add_style("Kop 1", WD_STYLE_TYPE.PARAGRAPH)
    kop2 = document.styles.add_style("Kop 2", WD_STYLE_TYPE.PARAGRAPH)
    document.styles.add_style("Lijstalinea", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Hoofdstuk 1 Doel", style=kop1)
    document.add_paragraph("Artikel 1 Begrippen", style=kop2)
    document.add_paragraph("Tekst.")
    document.add_paragraph("Toelichting", style=kop1)
    document.add_paragraph("Algemeen", style=kop2)
    document.add_paragraph("een opsomming zonder nummer", style="Lijstalinea")
    path = tmp_path / "kop.docx"
    document.save(str(path))
    doc = extract(str(path))
    assert [(b.kind, b.level) for b in doc.blocks] == [
        (HEADING, 1), (HEADING, 3), (PARAGRAPH, None), (HEADING, 1), (HEADING, 3), (LIST_ITEM, None)
    ]
    assert doc.blocks[5].heading_path == ["Toelichting", "Algemeen"]


def test_docx_revisions_fields_and_breaks(tmp_path):
    """Inserted text counts, deleted text does not; line breaks and tabs become spaces."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    paragraph = document.add_paragraph()
    paragraph._p.append(
        parse_xml(
            f'<w:r {nsdecls("w")}><w:t xml:space="preserve">Subsidie wordt </w:t></w:r>'
        )
    )
    paragraph._p.append(
        parse_xml(f'<w:del {nsdecls("w")} w:id="1" w:author="a"><w:r><w:delText>niet </w:delText></w:r></w:del>')
    )
    paragraph._p.append(
        parse_xml(f'<w:ins {nsdecls("w")} w:id="2" w:author="a"><w:r><w:t>wel</w:t></w:r></w:ins>')
    )
    paragraph._p.append(
        parse_xml(f'<w:r {nsdecls("w")}><w:br/><w:t>verstrekt</w:t><w:tab/><w:t>aan sociale</w:t></w:r>')
    )
    paragraph._p.append(
        parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr="REF x"><w:r><w:t xml:space="preserve"> ondernemingen.</w:t></w:r></w:fldSimple>'
        )
    )
    path = tmp_path / "revisies.docx"
    document.save(str(path))
    assert [b.text for b in extract(str(path)).blocks] == ["Subsidie wordt wel verstrekt aan sociale ondernemingen."]
