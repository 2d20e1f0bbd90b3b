"""PDF documents: the transfer agreement (参保缴费凭证), the contact letter (联系函) and the acceptance
confirmation (docs/domain.md §7).

Every PDF embeds its font (cases/fonts/README.md): a reader without Chinese fonts prints it alike.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import qrcode
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cases import rules, selectors
from cases.models import Agreement, FundsStatus, Outcome, TransferCase
from cases.selectors.funds import case_ledger
from cases.templatetags.case_tags import signed_money

FONT = "WenQuanYiMicroHei"
# A TrueType font, embedded (as the subset each document uses); a CID font like STSong-Light is only named.
pdfmetrics.registerFont(TTFont(FONT, str(Path(__file__).resolve().parent / "fonts" / "wqy-microhei-subset.ttf")))
TITLE = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, alignment=1, spaceAfter=6)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15)
SMALL = ParagraphStyle("small", fontName=FONT, fontSize=8, leading=11, textColor=colors.grey)


def _money(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _qr_image(url: str) -> Image:
    buffer = io.BytesIO()
    qrcode.make(url, box_size=4, border=2).save(buffer, format="PNG")
    buffer.seek(0)
    return Image(buffer, width=30 * mm, height=30 * mm)


def _text(text: str, style: ParagraphStyle) -> Paragraph:
    """Plain text in a paragraph: names, notes and references typed by people are no reportlab markup."""
    return Paragraph(escape(str(text)), style)


def _table(rows: list[list[str]], widths: list[float]) -> Table:
    # A worker called "<para>" or "A & B" would otherwise break the PDF (a 500) or print in bold.
    table = Table([[_text(cell, BODY) for cell in row] for row in rows], colWidths=widths)
    table.setStyle(TableStyle([
        # Cells set their own font even around a paragraph: the default would be an unembedded Helvetica.
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return table


def _build(story: list[object], title: str) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title=title, author="sstransfer",
        # Each page starts in this font; the default, Helvetica, would be a font the PDF names but lacks.
        initialFontName=FONT,
        leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
    )
    document.build(story)
    return buffer.getvalue()


def _verification_block(code: str, verify_url: str) -> Table:
    text = Paragraph(
        _("Verification code: %(code)s<br/>Check this document at %(url)s") % {
            "code": escape(code), "url": escape(verify_url),
        },
        BODY,
    )
    block = Table([[_qr_image(verify_url), text]], colWidths=[34 * mm, 130 * mm])
    block.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return block


def agreement_pdf(agreement: Agreement, verify_url: str, language: str = "zh-hans") -> bytes:
    """The numbered agreement, rendered from the assessment it froze and nothing else (docs/domain.md §7)."""
    case = agreement.case
    assessment = agreement.assessment
    figures, transfer = assessment.figures, assessment.transfer
    cities = selectors.city_labels(p.city_code for p in assessment.periods)
    with translation.override(language):
        title = _("Transfer agreement and contribution certificate")
        rows = [
            [_("Agreement number"), agreement.number],
            [_("Case reference"), case.reference],
            [_("Issued"), f"{timezone.localtime(agreement.issued_at):%Y-%m-%d}"],
            [_("Issuing agency"), f"{case.origin_agency.name} ({case.origin_agency.code})"],
            [_("Receiving agency"), f"{case.destination_agency.name} ({case.destination_agency.code})"],
            [_("Insured worker"), f"{case.worker.name} {case.worker.masked_id}"],
            [_("Insurance type"), case.get_insurance_type_display()],
            [_("Outcome"), str(Outcome(assessment.outcome).label)],
            [_("Contribution months"), str(figures.contribution_months)],
        ]
        if assessment.moves_nothing:
            rows.append([_("What moves"), _("Nothing: the record stays at the origin (0.00)")])
        else:
            rows += [
                [_("Pooled fund"), _money(figures.pooled_fund_amount)],
                [_("Personal account principal"), _money(figures.personal_account_principal)],
                [_("Personal account balance"), _money(figures.personal_account_balance)],
                [_("What moves"), _money(transfer.total)],
            ]
        period_rows = [[_("City"), _("Months"), _("Monthly base"), _("Paid")]] + [
            [f"{cities.get(p.city_code, p.city_code)} {rules.month_label(p.first_month)}–{rules.month_label(p.last_month)}",
             str(p.month_count), _money(p.monthly_base), _("yes") if p.paid else _("no")]
            for p in assessment.periods
        ]
        story = [
            Paragraph(title, TITLE),
            _table(rows, [50 * mm, 114 * mm]),
            Spacer(1, 6 * mm),
            Paragraph(_("Contribution periods"), BODY),
            _table(period_rows, [70 * mm, 24 * mm, 40 * mm, 30 * mm]),
            Spacer(1, 4 * mm),
        ]
        for message in assessment.messages:
            story += [_text(message, BODY), Spacer(1, 2 * mm)]
        story += [
            Spacer(1, 2 * mm),
            _verification_block(agreement.verification_code, verify_url),
            Spacer(1, 4 * mm),
            Paragraph(_("Issued under 国办发〔2009〕66号; figures frozen on the date of issue."), SMALL),
        ]
        return _build(story, title)


def _ledger_story(case: TransferCase) -> list[object]:
    """The funds received, the duplicates with the relationship kept and the refund, and what is credited."""
    ledger = case_ledger(case)
    story: list[object] = []
    if ledger is not None:
        if ledger.status == FundsStatus.NOT_REQUIRED:
            rows = [[_("Funds"), _("No funds move (temporary contribution account).")
                     if ledger.transfer.temporary_account else _("This agreement moves no money.")]]
        else:
            rows = [
                [_("To remit"), _money(ledger.transfer.total)],
                [_("Remitted"), _money(ledger.remittance.total) if ledger.remittance else "—"],
                [_("Received"), _money(ledger.received_total)],
                [_("Difference (received less remitted)"), signed_money(ledger.difference)],
            ]
        rows += [[_("Refunded to the worker (duplicate months)"), _money(ledger.refunded_total)],
                 [_("Credited at the destination"), _money(ledger.credited)]]
        story += [Paragraph(_("Funds"), BODY), _table(rows, [70 * mm, 94 * mm]), Spacer(1, 4 * mm)]
        if ledger.receipts:
            receipt_rows = [[_("Received on"), _("Bank reference"), _("Amount")]] + [
                [f"{r.received_on:%Y-%m-%d}", r.bank_reference, _money(r.amount)] for r in ledger.receipts
            ]
            story += [Paragraph(_("Receipts"), BODY), _table(receipt_rows, [40 * mm, 80 * mm, 44 * mm]),
                      Spacer(1, 4 * mm)]
    duplicates = list(case.duplicates.select_related("first_city", "second_city", "kept_city"))
    if duplicates:
        duplicate_rows = [[_("Months"), _("Paid in"), _("Relationship kept in"), _("Refund to the worker")]] + [
            [f"{d.start_month:%Y-%m}–{d.end_month:%Y-%m}", f"{d.first_city.name} / {d.second_city.name}",
             d.kept_city.name if d.kept_city else "—", _money(d.refund_amount)]
            for d in duplicates
        ]
        story += [Paragraph(_("Duplicate contributions"), BODY),
                  _table(duplicate_rows, [34 * mm, 60 * mm, 40 * mm, 30 * mm]), Spacer(1, 4 * mm)]
    return story


def acceptance_pdf(case: TransferCase, agreement: Agreement, verify_url: str, language: str = "zh-hans") -> bytes:
    """The destination's confirmation that the relationship continues there; only once completed."""
    if case.confirmation_number is None:
        raise ValueError("the case is not completed")
    assessment = agreement.assessment
    with translation.override(language):
        title = _("Acceptance confirmation")
        rows = [
            [_("Confirmation number"), case.confirmation_number],
            [_("Agreement number"), agreement.number],
            [_("Case reference"), case.reference],
            [_("Completed"), f"{timezone.localtime(case.completed_at):%Y-%m-%d}"],
            [_("Receiving agency"), f"{case.destination_agency.name} ({case.destination_agency.code})"],
            [_("From"), f"{case.origin_agency.name} ({case.origin_agency.code})"],
            [_("Insured worker"), f"{case.worker.name} {case.worker.masked_id}"],
            [_("Insurance type"), case.get_insurance_type_display()],
            [_("Contribution months"), str(assessment.figures.contribution_months)],
            [_("What moves"), _money(assessment.transfer.total)],
        ]
        story = [
            Paragraph(title, TITLE),
            _table(rows, [50 * mm, 114 * mm]),
            Spacer(1, 6 * mm),
            *_ledger_story(case),
            Paragraph(_("The social insurance relationship continues at the receiving agency."), BODY),
            Spacer(1, 4 * mm),
            _verification_block(case.acceptance_code or "", verify_url),
        ]
        return _build(story, title)


def contact_letter_pdf(letter: selectors.ContactLetter, language: str = "zh-hans") -> bytes:
    """The destination's request to the origin: who, which type, what to send and by when."""
    case = letter.case
    with translation.override(language):
        title = _("Contact letter for the transfer of a social insurance relationship")
        due = f"{letter.due_date:%Y-%m-%d}"
        if letter.due_estimated:
            due = _("%(date)s (estimated: the official holidays of that year are not yet entered)") % {"date": due}
        rows = [
            [_("Case reference"), case.reference],
            [_("Date"), f"{letter.issued_on:%Y-%m-%d}"],
            [_("From"), f"{case.destination_agency.name} ({case.destination_agency.code})"],
            [_("To"), f"{case.origin_agency.name} ({case.origin_agency.code})"],
            [_("Insured worker"), f"{case.worker.name} {case.worker.masked_id}"],
            [_("Insurance type"), case.get_insurance_type_display()],
            [_("Reply due by"), due],
        ]
        asked = [
            _("Verify the worker's contribution history and any arrears."),
            _("Issue the transfer agreement with the information form (参保缴费凭证, 信息表) and send it to us."),
        ]
        if not case.is_temporary_account:
            asked.append(_("Remit the funds that move (基金划转) and tell us the bank reference and value date."))
        story = [
            Paragraph(title, TITLE),
            _table(rows, [50 * mm, 114 * mm]),
            Spacer(1, 6 * mm),
            _text(_("We have accepted the worker's application to transfer the relationship to us. Please:"), BODY),
            *[_text(f"{number}. {line}", BODY) for number, line in enumerate(asked, start=1)],
            Spacer(1, 4 * mm),
            _text(_("Quote the case reference %(reference)s in every reply.") % {"reference": case.reference}, BODY),
            Spacer(1, 4 * mm),
            Paragraph(_("Issued under 国办发〔2009〕66号 Art. 8 and 人社部规〔2016〕5号."), SMALL),
        ]
        return _build(story, title)
