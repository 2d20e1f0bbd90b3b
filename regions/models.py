from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MONEY = {"max_digits": 14, "decimal_places": 2}
# A place's or an agency's name is 名称 in Chinese, a person's 姓名: one English word, two msgids.
PLACE_NAME = pgettext_lazy("name of a place or an organisation", "name")


class InsuranceType(models.TextChoices):
    PENSION = "pension", _("Basic old-age pension")
    MEDICAL = "medical", _("Employee basic medical insurance")
    UNEMPLOYMENT = "unemployment", _("Unemployment insurance")


class PoolingLevel(models.TextChoices):
    CITY = "city", _("Prefecture city")
    PROVINCE = "province", _("Province")


class Province(models.Model):
    code = models.CharField(
        _("code"), max_length=2, primary_key=True, validators=[RegexValidator(r"^[1-6]\d$")]
    )
    name = models.CharField(PLACE_NAME, max_length=32)

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class City(models.Model):
    class Kind(models.TextChoices):
        PREFECTURE = "prefecture", _("Prefecture-level city")
        MUNICIPALITY = "municipality", _("Municipality")
        PROVINCE_ADMINISTERED = "province_administered", _("County-level city under the province")

    code = models.CharField(_("code"), max_length=6, primary_key=True, validators=[RegexValidator(r"^\d{6}$")])
    name = models.CharField(PLACE_NAME, max_length=64)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="cities", verbose_name=_("province"))
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.PREFECTURE)

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["code"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        if self.kind == self.Kind.MUNICIPALITY:
            return self.name
        return f"{self.province.name}{self.name}"


class Agency(models.Model):
    code = models.CharField(_("code"), max_length=12, unique=True, validators=[RegexValidator(r"^[0-9A-Za-z-]+$")])
    name = models.CharField(PLACE_NAME, max_length=128)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("city"))
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    hours = models.CharField(
        _("opening hours"), max_length=255, blank=True, help_text=_("e.g. 周一至周五 9:00–12:00, 14:00–17:30")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["code"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name


class AgencyMembership(models.Model):
    class Role(models.TextChoices):
        CLERK = "clerk", _("Clerk")
        SUPERVISOR = "supervisor", _("Supervisor")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership", verbose_name=_("user")
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("agency"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CLERK)

    class Meta:
        verbose_name = _("agency membership")
        verbose_name_plural = _("agency memberships")
        ordering = ["agency__code", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency} ({self.get_role_display()})"


class RegionPolicy(models.Model):
    """A province's rules; a row without a year is the standing rule, a row with one overrides it."""

    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="policies", verbose_name=_("province"))
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, validators=[MinValueValidator(1990), MaxValueValidator(2100)],
        help_text=_("Leave empty for the rule that applies every year without a row of its own."),
    )
    medical_pooling = models.CharField(
        _("medical insurance pooling level"), max_length=16, choices=PoolingLevel.choices, default=PoolingLevel.CITY
    )
    unemployment_pooling = models.CharField(
        _("unemployment insurance pooling level"), max_length=16, choices=PoolingLevel.choices,
        default=PoolingLevel.CITY,
    )
    average_wage = models.DecimalField(_("average monthly wage"), **MONEY, null=True, blank=True)
    base_floor = models.DecimalField(_("contribution base floor"), **MONEY, null=True, blank=True)
    base_ceiling = models.DecimalField(_("contribution base ceiling"), **MONEY, null=True, blank=True)
    min_months_before_transfer_in = models.PositiveSmallIntegerField(
        _("minimum months at the destination before a transfer in"), default=0
    )
    nonhukou_medical_personal_account = models.BooleanField(
        _("non-hukou workers get a medical personal account"), default=True
    )
    note = models.CharField(_("source or note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("regional policy")
        verbose_name_plural = _("regional policies")
        ordering = ["province__code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["province", "year"], name="policy_unique_province_year"),
            models.UniqueConstraint(
                fields=["province"], condition=Q(year__isnull=True), name="policy_unique_standing_rule"
            ),
            models.CheckConstraint(
                condition=Q(base_floor__isnull=True) | Q(base_ceiling__isnull=True) | Q(base_floor__lte=models.F("base_ceiling")),
                name="policy_floor_below_ceiling",
            ),
        ]

    def __str__(self) -> str:
        # Outside the f-string: xgettext does not look into one, and the label would never be translated.
        year = self.year or _("standing rule")
        return f"{self.province} {year}"


class CreditRate(models.Model):
    """The credited interest rate of the personal account (个人账户记账利率) for one year.

    National from 2016 (人社厅发〔2017〕71号); before that each province set its own, so a row may name a
    province, and a national row for the same year is only the fallback.
    """

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)])
    province = models.ForeignKey(
        "Province", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("province"),
        help_text=_("Empty for the national rate."),
    )
    percent = models.DecimalField(
        _("rate (%)"), max_digits=6, decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    is_placeholder = models.BooleanField(
        _("placeholder"), default=False, help_text=_("Not the published rate; replace it when the ministry publishes.")
    )
    source = models.CharField(_("source"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("credited interest rate")
        verbose_name_plural = _("credited interest rates")
        ordering = ["year", "province"]
        constraints = [
            models.UniqueConstraint(fields=["year"], condition=models.Q(province__isnull=True), name="rate_national_year"),
            models.UniqueConstraint(fields=["year", "province"], name="rate_province_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.province_id or ''}: {self.percent}%".replace("  ", " ")


class CalendarDay(models.Model):
    """An administrator's ruling on one date, for years the chinesecalendar package does not cover."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=64, blank=True, help_text=_("e.g. Spring Festival, make-up day"))

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        # Outside the f-string: xgettext does not look inside f-string expressions.
        kind = _("working day") if self.is_workday else _("holiday")
        return f"{self.date} {kind}"
