"""The scenario: leadership's goals and real limits, validated at the edge.

Every quantity carries its unit in its field name or in ``unit=``. Models forbid
unknown keys, are frozen, and check ranges, so a bad file fails here with the
field path, the value and what was expected (see ``optimizer.scenario.loading``).
"""

from __future__ import annotations

import functools
import re
import typing
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import InitErrorDetails, PydanticCustomError

from optimizer.scenario.names import OBJECTIVES, QUALITY_FLOOR, Objective
from optimizer.scenario.uncertainty import Uncertainty
from optimizer.scenario.uncertainty import problems as uncertainty_problems

NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]*$"


MAGNITUDES: dict[str, tuple[float, float]] = {
    # unit: (smallest value above zero, largest magnitude) the model stays sound with
    "$/month": (0.01, 1e10),
    "$/rep/month": (0.01, 1e10),
    "$/person/month": (0.01, 1e8),
    "$/deal": (0.01, 1e9),
    "$": (0.01, 1e11),
    "$/customer/month": (0.01, 1e7),
    "$/lead": (0.01, 1e6),
    "$/unit": (0.01, 1e8),
    "$/person": (0.01, 1e8),
    "people": (1, 1_000_000),
    "leads/month": (1e-3, 1e9),
    "leads": (1e-3, 1e11),
    "customers": (1e-3, 1e9),
    "customers/deal": (1e-6, 1e6),
    "units/deal": (1e-6, 1e6),
    "units/person/month": (1e-6, 1e7),
    "share": (1e-6, 1),
    "deals/conversation": (1e-6, 1),
    "conversations/lead": (1e-3, 1e3),
    "minutes/conversation": (1e-3, 600),
    "minutes/ticket": (1e-3, 1e4),
    "contacts/customer/month": (1e-6, 1e4),
    "tickets/customer/month": (1e-6, 1e4),
    "conversations/rep/day": (1e-3, 1e4),
    "tickets/person/day": (1e-3, 1e5),
    "cost/unit of change": (1e-9, 1e9),
}
"""The range of each kind of input the solvers handle soundly. HiGHS works to absolute
tolerances of about 1e-7 and treats 1e20 as infinite: a $1e10 deal value was called
infeasible, a $1e12 one crashed it, and a cost per lead of 1e-300 is noise. A value above
zero but below the first figure, or beyond the second, is refused with both figures."""


def q(unit: str, **kwargs: Any) -> Any:
    """A field with a unit, shown in reports and in the marginal values table.

    Money, counts and rates get their largest magnitude from ``MAGNITUDES`` unless the
    field states its own bound.
    """
    if unit in MAGNITUDES:
        largest = MAGNITUDES[unit][1]
        if "le" not in kwargs and "lt" not in kwargs:
            kwargs["le"] = largest
        if "ge" not in kwargs and "gt" not in kwargs:
            kwargs["ge"] = -largest
    return Field(json_schema_extra={"unit": unit}, **kwargs)


MONTHS_TAG = "months"
"""The part a pydantic error's ``loc`` holds for the list form of a ``Monthly`` input (the
number form's is ``NUMBER_TAG``); the loader takes both out of the paths it shows."""
NUMBER_TAG = "number"


@dataclass(frozen=True)
class MonthlyMark:
    """Marks a ``Monthly`` field; ``constraints`` are the bounds each value must meet."""

    constraints: tuple


def _monthly_kind(value: Any) -> str:
    return MONTHS_TAG if isinstance(value, list) else NUMBER_TAG


def Monthly(unit: str, *, optional: bool = False, **bounds: Any) -> Any:  # noqa: N802 - a type
    """A monthly input: one number for every month, or a list of one number per month of
    the horizon (``Scenario`` checks the length). Each number has the field's unit and
    bounds (``q``: the unit's largest magnitude from ``MAGNITUDES``, and the smallest one
    by ``Strict._no_specks``). ``optional`` also accepts None (no value).

    Read it with ``Scenario.per_month`` (or ``per_month``): an array of one value a month.
    """
    number = Annotated[float, q(unit, **bounds)]
    constraints = tuple(number.__metadata__[0].metadata)
    branches = [
        Annotated[number, Tag(NUMBER_TAG)],
        Annotated[list[number], Field(min_length=1, max_length=120), Tag(MONTHS_TAG)],
    ]
    kind = _monthly_kind
    if optional:
        branches.append(Annotated[None, Tag("none")])
        kind = _optional_kind
    return Annotated[
        typing.Union[tuple(branches)],  # noqa: UP007 - a union built from a list
        Discriminator(kind),
        Field(json_schema_extra={"unit": unit}),
        MonthlyMark(constraints),
    ]


def _optional_kind(value: Any) -> str:
    return "none" if value is None else _monthly_kind(value)


def per_month(value: float | list[float] | None, months: int) -> np.ndarray:
    """A ``Monthly`` input as one value per month (``months`` of them): a number repeated,
    a list as it is (NaN for None: an unlimited tier)."""
    if value is None:
        return np.full(months, np.nan)
    if isinstance(value, list):
        return np.array(value, dtype=float)
    return np.full(months, float(value))


def _monthly_constraints(field: FieldInfo) -> tuple:
    """The bounds each number of a ``Monthly`` field must meet (none for another field)."""
    return tuple(c for m in field.metadata if isinstance(m, MonthlyMark) for c in m.constraints)


def is_monthly(field: FieldInfo | None) -> bool:
    """True for a field declared ``Monthly``."""
    return field is not None and any(isinstance(m, MonthlyMark) for m in field.metadata)


def _unit(field: FieldInfo) -> str:
    """The unit ``q`` gave a field, or ""."""
    extra = field.json_schema_extra
    return extra.get("unit", "") if isinstance(extra, dict) else ""


@functools.cache
def _sized_fields(model: type[BaseModel]) -> tuple[tuple[str, str, float], ...]:
    """(name, unit, smallest sound value) of each field of ``model`` whose unit has one
    (``MAGNITUDES``), found once per model (validation asks on every scenario)."""
    return tuple(
        (name, _unit(field), MAGNITUDES[_unit(field)][0])
        for name, field in model.model_fields.items()
        if _unit(field) in MAGNITUDES
    )


@functools.cache
def _field_kinds(model: type[BaseModel]) -> tuple[tuple[str, bool], ...]:
    """(name, declared ``Monthly``) of each field of ``model``, found once per model."""
    return tuple((name, is_monthly(field)) for name, field in model.model_fields.items())


class Strict(BaseModel):
    # strict: `true` is not the number 1 and "8" is not 8; .inf and .nan are refused
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    @model_validator(mode="after")
    def _no_specks(self) -> Strict:
        """A value above zero smaller than its unit's smallest sound one (MAGNITUDES)."""
        problems = []
        for name, unit, smallest in _sized_fields(type(self)):
            value = getattr(self, name)
            # a monthly list's numbers each, at the loc pydantic gives them (the list's tag)
            items = (
                [((name,), value)]
                if not isinstance(value, list)
                else [((name, MONTHS_TAG, i), v) for i, v in enumerate(value)]
            )
            for loc, item in items:
                if isinstance(item, float | int) and 0 < abs(item) < smallest:
                    problems.append(
                        _cross_error(
                            loc,
                            item,
                            f"0 or a number of at least {smallest:g} {unit} in magnitude (smaller "
                            "values are below the solver's precision)",
                        )
                    )
        if problems:
            raise ValidationError.from_exception_data(type(self).__name__, problems)
        return self


Name = Annotated[str, Field(pattern=NAME_PATTERN, max_length=40)]


class Calendar(Strict):
    """The working calendar. Month ``t`` of the horizon starts at ``start_month``."""

    start_month: str = Field("2027-01", pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    horizon_months: int = q("months", ge=1, le=120, default=1)
    business_days_per_month: Monthly("days/month", gt=0, le=31)
    hours_per_day: float = q("hours/day", gt=0, le=24)

    def month_labels(self) -> list[str]:
        year, month = (int(x) for x in self.start_month.split("-"))
        labels = []
        for t in range(self.horizon_months):
            y, m = divmod(month - 1 + t, 12)
            labels.append(f"{year + y:04d}-{m + 1:02d}")
        return labels


Share = Annotated[float, Field(ge=0, le=1)]
"""A share from 0 to 1 (an item of a ramp curve or a close profile)."""


class Headcount(Strict):
    """Whole people in a role, between ``min`` and ``max``, each at a monthly cost.

    With ``opening`` set, the role's people flow from month to month
    (``optimizer.model.chain.workforce``): hires and departures are whole people, a hire
    decided in month t starts in t + ``hiring_lead_time_months``, ``attrition_per_month``
    of the people employed leave on their own each month (an expected share, so the
    headcount is in full-time equivalents), and a new hire works at ``ramp[k]`` of full
    speed in their (k + 1)-th month, at full speed after the ramp. Without ``opening``
    the plan picks each month's headcount freely, as if people came and went at no cost.
    """

    min: int = q("people", ge=0, default=0)
    max: int = q("people", ge=0, le=1_000_000)
    cost_per_person_per_month: float = q("$/person/month", ge=0)
    opening: int | None = q("people", ge=0, default=None)
    attrition_per_month: float = q("share", ge=0, lt=1, default=0)
    hiring_lead_time_months: int = q("months", ge=0, le=24, default=0)
    max_hires_per_month: int | None = q("people", ge=0, default=None)
    max_departures_per_month: int | None = q("people", ge=0, default=None)
    cost_per_hire: float = q("$/person", ge=0, default=0)
    cost_per_departure: float = q("$/person", ge=0, default=0)
    ramp: list[Share] = Field(default_factory=list, max_length=24)
    already_hired: list[Annotated[int, Field(ge=0, le=1_000_000)]] = Field(
        default_factory=list, max_length=24
    )

    FLOW_FIELDS: ClassVar[tuple[str, ...]] = (
        "attrition_per_month",
        "hiring_lead_time_months",
        "max_hires_per_month",
        "max_departures_per_month",
        "cost_per_hire",
        "cost_per_departure",
        "ramp",
        "already_hired",
    )

    @property
    def flows(self) -> bool:
        """True when the role's people flow month to month (``opening`` is set)."""
        return self.opening is not None

    @model_validator(mode="after")
    def _min_le_max(self) -> Headcount:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) must not exceed max ({self.max})")
        return self

    @model_validator(mode="after")
    def _flow_needs_opening(self) -> Headcount:
        """Hiring, attrition and ramp describe a flow of people, which starts from ``opening``."""
        problems = []
        if self.opening is None:
            defaults = _flow_defaults()
            for name in self.FLOW_FIELDS:
                if getattr(self, name) != defaults[name]:
                    problems.append(
                        _cross_error(
                            (name,),
                            getattr(self, name),
                            "to be left out unless `opening` (the people employed when the "
                            "plan starts) is set: hires, departures, attrition and ramp are "
                            "a flow of people from that opening headcount",
                        )
                    )
        if len(self.already_hired) > self.hiring_lead_time_months:
            problems.append(
                _cross_error(
                    ("already_hired",),
                    self.already_hired,
                    f"at most {self.hiring_lead_time_months} value(s), one per month of the "
                    "hiring lead time (people hired before the plan who start in its first "
                    "months); later months' starts are the plan's own hires",
                )
            )
        if problems:
            raise ValidationError.from_exception_data("Headcount", problems)
        return self


@functools.cache
def _flow_defaults() -> dict[str, Any]:
    """Each flow field's default, found once (pydantic's ``get_default`` inspects a default
    factory's signature on every call: 14 calls made validating a scenario 17x slower)."""
    return {
        name: Headcount.model_fields[name].get_default(call_default_factory=True)
        for name in Headcount.FLOW_FIELDS
    }


@dataclass(frozen=True)
class Role:
    """A role with a headcount: its quantity's name in the plan (``reps``, ``phone_agents``),
    its department, its input path (``{team}`` for each team), and one name and headcount
    per team (one of each for a role without teams)."""

    var: str
    department: str
    path: str
    names: tuple[str, ...]
    staff: tuple[Headcount, ...]


class LeadCostTier(Strict):
    """The next ``leads_per_month`` paid leads of a channel cost ``cost_per_lead`` each."""

    leads_per_month: Monthly("leads/month", optional=True, gt=0) = None
    cost_per_lead: Monthly("$/lead", gt=0)


class Channel(Strict):
    """A paid channel. Tiers are in order of rising cost: more volume costs more per lead."""

    name: Name
    tiers: list[LeadCostTier] = Field(min_length=1, max_length=20)

    @field_validator("tiers")
    @classmethod
    def _tiers_in_order(cls, tiers: list[LeadCostTier]) -> list[LeadCostTier]:
        for i in range(1, len(tiers)):
            if isinstance(tiers[i].cost_per_lead, list) or isinstance(
                tiers[i - 1].cost_per_lead, list
            ):
                continue  # month by month, once the horizon is known (Scenario)
            if tiers[i].cost_per_lead <= tiers[i - 1].cost_per_lead:
                raise ValueError(
                    f"tier {i} costs ${tiers[i].cost_per_lead:g}/lead, not more than tier {i - 1} "
                    f"(${tiers[i - 1].cost_per_lead:g}); list tiers from cheapest to dearest"
                )
        for i, tier in enumerate(tiers[:-1]):
            if tier.leads_per_month is None:
                raise ValueError(
                    f"only the last tier may be unlimited; tier {i} has no leads_per_month"
                )
        return tiers


class LeadGrade(Strict):
    """A grade of qualified lead (A, B, C): its ``share`` of qualified leads and how well it
    converts, as a factor on every conversation tier's rate. The plan routes each grade to the
    teams that earn most from it."""

    name: Name
    share: float = q("share", gt=0, le=1)
    conversion_factor: float = q("share", gt=0, le=10)


class Marketing(Strict):
    """Marketing produces leads within an ad budget and a market of reachable prospects."""

    ad_budget_per_month: Monthly("$/month", ge=0)
    market_size_leads_per_month: Monthly("leads/month", gt=0)
    total_addressable_market_leads: float | None = q("leads", gt=0, default=None)
    organic_leads_per_month: Monthly("leads/month", ge=0) = 0.0
    qualified_lead_share: float = q("share", ge=0, le=1)
    channels: list[Channel] = Field(default_factory=list, max_length=100)
    lead_grades: list[LeadGrade] = Field(default_factory=list, max_length=10)
    marketers: Headcount
    ad_spend_per_marketer_per_month: float | None = q("$/person/month", gt=0, default=None)

    @field_validator("channels")
    @classmethod
    def _unique_channels(cls, channels: list[Channel]) -> list[Channel]:
        _check_unique([c.name for c in channels], "channel")
        return channels

    @model_validator(mode="after")
    def _organic_fits_market(self) -> Marketing:
        organic, market = self.organic_leads_per_month, self.market_size_leads_per_month
        if isinstance(organic, list) or isinstance(market, list):
            return self  # month by month, once the horizon is known (Scenario)
        if organic > market:
            raise ValueError(
                f"organic_leads_per_month ({self.organic_leads_per_month:g}) exceeds "
                f"market_size_leads_per_month ({self.market_size_leads_per_month:g})"
            )
        return self


class HoursLost(Strict):
    """Hours per rep per day that go to work other than selling conversations."""

    travel: float = q("hours/day", ge=0, le=24, default=0)
    meetings: float = q("hours/day", ge=0, le=24, default=0)
    follow_ups: float = q("hours/day", ge=0, le=24, default=0)
    trade_shows: float = q("hours/day", ge=0, le=24, default=0)
    other: float = q("hours/day", ge=0, le=24, default=0)

    def total(self) -> float:
        return self.travel + self.meetings + self.follow_ups + self.trade_shows + self.other


class ConversationTier(Strict):
    """Conversations of ``minutes`` length close a deal at ``conversion_rate``."""

    minutes: float = q("minutes/conversation", gt=0, le=600)
    conversion_rate: Monthly("deals/conversation", ge=0, le=1)


class Dials(Strict):
    """Reps reach people by dialing: a dial takes ``minutes_per_dial`` and reaches someone at
    ``connect_rate``; only a dial that connects becomes a conversation. Each conversation
    therefore costs ``minutes_per_dial / connect_rate`` minutes of dialing (50 dials of 3
    minutes at 8 %: 150 minutes and 4 conversations)."""

    minutes_per_dial: float = q("minutes/dial", gt=0, le=60)
    connect_rate: float = q("share", gt=0, le=1)


class Stage(Strict):
    """A funnel stage after the first conversation (a second meeting, a demo, a proposal).

    The first conversation's tier conversion rate is then the share that reaches the first
    stage; each stage's ``conversion_rate`` is the share that moves on to the next stage, and
    the last stage's is the share that becomes a deal. A stage takes the rep ``minutes`` plus
    ``admin_minutes`` each time."""

    name: Name
    minutes: float = q("minutes/conversation", ge=0, le=600)
    admin_minutes: float = q("minutes/conversation", ge=0, le=600, default=0)
    conversion_rate: Monthly("deals/conversation", gt=0, le=1)


class Prospecting(Strict):
    """Reps may find their own leads. A self-found lead takes ``minutes_per_lead`` of the
    rep's selling time (research and dialing until someone picks up), or the dialing of
    ``dials`` (``minutes_per_dial / connect_rate``); ``qualified_share`` of them are worth a
    conversation, which converts at ``conversion_factor`` times the tier's rate."""

    minutes_per_lead: float | None = q("minutes/lead", gt=0, le=6000, default=None)
    dials: Dials | None = None
    qualified_share: float = q("share", gt=0, le=1, default=1.0)
    conversion_factor: float = q("share", gt=0, le=10, default=1.0)

    @model_validator(mode="after")
    def _one_way_to_find(self) -> Prospecting:
        if (self.minutes_per_lead is None) == (self.dials is None):
            raise ValueError(
                "state how long finding a lead takes: minutes_per_lead, or dials "
                "(minutes_per_dial and connect_rate), not both"
            )
        return self

    def minutes_per_found_lead(self) -> float:
        """Rep minutes to find one lead, before the qualified share."""
        if self.dials is not None:
            return self.dials.minutes_per_dial / self.dials.connect_rate
        return float(self.minutes_per_lead)


class Attainment(Strict):
    """What a fully ramped rep sells in a month, as a normal distribution of closed revenue
    (deal value x deals): its mean plans the team's capacity (a ramping rep counts at its ramp
    productivity), and the published quota is set so that ``share_reaching_quota`` of reps
    reach it: quota = mean + spread x z, with z the standard normal quantile of
    1 - share_reaching_quota."""

    mean_per_rep_per_month: float = q("$/rep/month", gt=0)
    spread_per_rep_per_month: float = q("$/rep/month", ge=0, default=0)
    share_reaching_quota: float = q("share", gt=0, lt=1, default=0.6)


class SalesTeam(Strict):
    """A sales team or segment with its own headcount, lost hours, funnel rates and deal size."""

    name: Name
    reps: Headcount
    hours_lost_per_day: HoursLost = HoursLost()
    admin_minutes_per_conversation: float = q("minutes/conversation", ge=0, le=600, default=0)
    follow_up_minutes_per_conversation: float = q("minutes/conversation", ge=0, le=600, default=0)
    max_booked_share: float = q("share", gt=0, le=1, default=1.0)
    dials: Dials | None = None
    prospecting: Prospecting | None = None
    conversion_rates: list[Monthly("deals/conversation", ge=0, le=1)] | None = Field(
        default=None, max_length=20
    )
    average_deal_value: float = q("$/deal", gt=0)
    units_per_deal: float | None = q("units/deal", gt=0, default=None)
    commission_share: float = q("share", ge=0, lt=1, default=0)
    attainment: Attainment | None = None
    close_profile: list[Share] = Field(default_factory=list, max_length=24)
    opening_pipeline: list[Annotated[float, Field(ge=0, le=1e9)]] = Field(
        default_factory=list, max_length=120
    )

    @field_validator("close_profile")
    @classmethod
    def _profile_sums_to_one(cls, profile: list[float]) -> list[float]:
        """The shares of a month's won deals closing 0, 1, 2, ... months later add up to 1."""
        if profile and abs(sum(profile) - 1.0) > 1e-9:
            raise ValueError(
                f"the close profile adds up to {sum(profile):g}; expected shares that add up "
                "to 1 (the share of a month's won deals closing that month, one month later, ...)"
            )
        return profile


class Sales(Strict):
    """Sales turns qualified leads into deals through conversations of chosen length."""

    min_minutes_per_quality_conversation: float = q("minutes/conversation", ge=0, le=600)
    touches_per_lead: float = q("conversations/lead", gt=0, default=1)
    conversation_tiers: list[ConversationTier] = Field(min_length=1, max_length=20)
    stages: list[Stage] = Field(default_factory=list, max_length=10)
    teams: list[SalesTeam] = Field(min_length=1, max_length=100_000)

    @field_validator("stages")
    @classmethod
    def _unique_stages(cls, stages: list[Stage]) -> list[Stage]:
        _check_unique([s.name for s in stages], "stage")
        return stages

    @field_validator("conversation_tiers")
    @classmethod
    def _tiers_in_order(cls, tiers: list[ConversationTier]) -> list[ConversationTier]:
        for i in range(1, len(tiers)):
            if tiers[i].minutes <= tiers[i - 1].minutes:
                raise ValueError(
                    f"tier {i} is {tiers[i].minutes:g} min, not longer than tier {i - 1} "
                    f"({tiers[i - 1].minutes:g} min); list tiers from shortest to longest"
                )
        return tiers

    @field_validator("teams")
    @classmethod
    def _unique_teams(cls, teams: list[SalesTeam]) -> list[SalesTeam]:
        _check_unique([t.name for t in teams], "team")
        return teams

    @model_validator(mode="after")
    def _some_tier_meets_floor(self) -> Sales:
        if self.conversation_tiers[-1].minutes < self.min_minutes_per_quality_conversation:
            raise ValueError(
                f"no conversation tier is at least min_minutes_per_quality_conversation "
                f"({self.min_minutes_per_quality_conversation:g} min)"
            )
        return self


class Delivery(Strict):
    """Manufacturing or delivery: units sold must be built by workers within the lead time."""

    units_per_deal: float = q("units/deal", gt=0)
    units_per_worker_per_month: float = q("units/person/month", gt=0)
    workers: Headcount
    unit_cost: float = q("$/unit", ge=0, default=0)
    lead_time_months: int = q("months", ge=0, le=24, default=0)


def _profile(profile: list[float], what: str) -> list[float]:
    """A profile of shares over months (0, 1, 2, ... months later) adds up to 1."""
    if profile and abs(sum(profile) - 1.0) > 1e-9:
        raise ValueError(
            f"the {what} adds up to {sum(profile):g}; expected shares that add up to 1 (the "
            "share in the month itself, one month later, ...)"
        )
    return profile


class ServiceBand(Strict):
    """A level a support line may be run at: its target, and what it does to customers.

    ``service_level`` of contacts answered within ``answer_within_seconds`` (a live channel)
    or of tickets closed within ``within_hours`` (the ticket desk); no service level is
    best effort (only the occupancy cap). ``collection`` is the share of a month's invoices
    paid that month, one month later, two months later, ... while the line runs at this
    band (empty: ``finance.cash.collection``); ``churn_per_month`` the share of customers
    leaving each month (empty: ``recurring_revenue.churn_per_month``).
    """

    name: Name
    service_level: float | None = q("share", gt=0, lt=1, default=None)
    answer_within_seconds: float | None = q("seconds", gt=0, le=86_400, default=None)
    within_hours: float | None = q("hours", gt=0, le=1000, default=None)
    collection: list[Share] = Field(default_factory=list, max_length=12)
    churn_per_month: float | None = q("share", ge=0, lt=1, default=None)

    @field_validator("collection")
    @classmethod
    def _collection_sums_to_one(cls, profile: list[float]) -> list[float]:
        return _profile(profile, "collection profile")

    @property
    def best_effort(self) -> bool:
        return self.service_level is None


class LiveChannel(Strict):
    """A live channel (phone, chat) staffed for a service level by Erlang C.

    Contacts a month = contacts per customer x customers. The busiest interval brings
    ``peak_factor`` times the average interval's share of them, and the channel's agents
    answer ``service_level`` of those within ``answer_within_seconds``.
    """

    name: Name
    contacts_per_customer_per_month: float = q("contacts/customer/month", ge=0)
    handle_seconds: float = q("seconds/contact", gt=0, le=36_000)
    answer_within_seconds: float | None = q("seconds", gt=0, le=86_400, default=None)
    service_level: float | None = q("share", gt=0, lt=1, default=None)
    max_occupancy: float = q("share", gt=0, le=1, default=0.85)
    max_asa_seconds: float | None = q("seconds", gt=0, le=86_400, default=None)
    interval_minutes: float = q("minutes", gt=0, le=1440, default=30)
    peak_factor: float = q("busiest/average interval", ge=1, le=100, default=1.0)
    shrinkage: float = q("share", ge=0, lt=1, default=0.3)
    agents: Headcount
    bands: list[ServiceBand] = Field(default_factory=list, max_length=6)

    @model_validator(mode="after")
    def _target_or_bands(self) -> LiveChannel:
        """One service level target, or service bands the plan chooses from; not both."""
        if self.bands:
            if self.service_level is not None or self.answer_within_seconds is not None:
                raise ValueError(
                    "both a service level (service_level, answer_within_seconds) and bands; "
                    "expected one: the target, or the bands the plan chooses from"
                )
            _check_bands(self.bands, "answer_within_seconds")
        elif self.service_level is None or self.answer_within_seconds is None:
            raise ValueError(
                "no service level target; expected service_level and answer_within_seconds "
                "(for example 0.8 and 20: 80 % answered within 20 s), or bands"
            )
        return self

    def levels(self) -> list[ServiceBand]:
        """The bands the plan chooses from: the channel's own, or its one target."""
        return self.bands or [
            ServiceBand(
                name="target",
                service_level=self.service_level,
                answer_within_seconds=self.answer_within_seconds,
            )
        ]


class TicketClosure(Strict):
    """Ticket channels close ``share`` of tickets within ``within_hours`` working hours, or
    run at one of ``bands`` (each with its ``service_level`` and ``within_hours``)."""

    within_hours: float | None = q("hours", gt=0, le=1000, default=None)
    share: float | None = q("share", gt=0, lt=1, default=None)
    bands: list[ServiceBand] = Field(default_factory=list, max_length=6)

    @model_validator(mode="after")
    def _target_or_bands(self) -> TicketClosure:
        if self.bands:
            if self.share is not None or self.within_hours is not None:
                raise ValueError(
                    "both a closure target (share, within_hours) and bands; expected one"
                )
            _check_bands(self.bands, "within_hours")
        elif self.share is None or self.within_hours is None:
            raise ValueError(
                "no closure target; expected share and within_hours (for example 0.8 and 8: "
                "80 % of tickets closed within 8 working hours), or bands"
            )
        return self

    def levels(self) -> list[ServiceBand]:
        return self.bands or [
            ServiceBand(name="target", service_level=self.share, within_hours=self.within_hours)
        ]


def _check_bands(bands: list[ServiceBand], within: str) -> None:
    """Unique names; a band with a service level states its time (``within``), a best-effort
    band states neither; the other line's time field is not used."""
    _check_unique([b.name for b in bands], "band")
    other = "within_hours" if within == "answer_within_seconds" else "answer_within_seconds"
    for b in bands:
        if getattr(b, other) is not None:
            raise ValueError(f"band {b.name!r} states {other}; this line's bands state {within}")
        if (b.service_level is None) != (getattr(b, within) is None):
            raise ValueError(
                f"band {b.name!r}: expected service_level and {within} together, or neither "
                "(best effort: only the occupancy cap)"
            )


class Support(Strict):
    """Customer support: tickets handled within occupancy (and closure) limits, live channels
    staffed for their service level."""

    installed_base_customers: float | None = q("customers", ge=0, default=None)
    new_customers_per_deal: float = q("customers/deal", ge=0, default=1)
    tickets_per_customer_per_month: Monthly("tickets/customer/month", ge=0)
    handle_minutes_per_ticket: float = q("minutes/ticket", gt=0)
    max_occupancy: float = q("share", gt=0, le=1)
    shrinkage: float = q("share", ge=0, lt=1, default=0)
    agents: Headcount
    ticket_closure: TicketClosure | None = None
    live_channels: list[LiveChannel] = Field(default_factory=list, max_length=20)

    @field_validator("live_channels")
    @classmethod
    def _unique_channels(cls, channels: list[LiveChannel]) -> list[LiveChannel]:
        _check_unique([c.name for c in channels], "live channel")
        return channels


class HorizonEnd(Strict):
    """What the plan leaves at its end, so that no plan looks good by starving its last months.

    Deals still open in the pipeline when the plan ends (won in conversations, closing after
    the last month by the sales cycle) count towards the objective at
    ``open_pipeline_value_share`` of their deal value. They are not profit within the plan,
    and the profit goal does not count them. 0 turns the credit off: the plan may then stop
    selling and advertising in its last months, and the answer says so.

    With recurring revenue, the customers still paying when the plan ends count towards the
    objective at ``customer_months`` months of their last monthly revenue (0, the default,
    counts none: a customer won or kept in the last months then looks worth only the months
    left).
    """

    open_pipeline_value_share: float = q("share", ge=0, le=1, default=1.0)
    customer_months: float = q("months", ge=0, le=120, default=0.0)


class RecurringRevenue(Strict):
    """Customers who pay every month (a subscription).

    ``customers[t] = customers[t-1] x (1 - churn) + new customers per deal x deals[t]``;
    recurring revenue[t] = revenue per customer[t] x customers[t], where the revenue per
    customer grows by ``expansion_per_month`` a month (net expansion: upgrades less
    downgrades). A deal's ``average_deal_value`` is then its one-time revenue (set-up,
    onboarding); bookings add ``contract_months`` of the new customers' subscription.
    Support's customers are these customers.
    """

    opening_customers: float = q("customers", ge=0)
    new_customers_per_deal: float = q("customers/deal", ge=0, default=1)
    revenue_per_customer_per_month: float = q("$/customer/month", ge=0)
    churn_per_month: float = q("share", ge=0, lt=1, default=0)
    expansion_per_month: float = q("share", ge=0, le=0.5, default=0)
    contract_months: int = q("months", ge=1, le=120, default=12)


class Cash(Strict):
    """Money in the bank, month by month.

    ``receivables[t] = receivables[t-1] + invoiced[t] - collected[t]``: a month's revenue is
    invoiced that month and paid by ``collection`` (the share paid that month, one month
    later, ...; a support line's service band may say otherwise); ``opening_receivables``
    are paid in the plan's first months. Payroll, ad spend, cost of goods, hiring costs and
    bills are paid in the month. ``cash[t] = cash[t-1] + collected[t] - paid[t]`` stays at
    least ``minimum`` at every month end.
    """

    opening: float = q("$", ge=-1e11)
    minimum: float | None = q("$", ge=-1e11, default=None)
    opening_receivables: list[Annotated[float, Field(ge=0, le=1e11)]] = Field(
        default_factory=list, max_length=120
    )
    collection: list[Share] = Field(default_factory=lambda: [1.0], min_length=1, max_length=12)

    @field_validator("collection")
    @classmethod
    def _collection_sums_to_one(cls, profile: list[float]) -> list[float]:
        return _profile(profile, "collection profile")


class Goal(Strict):
    """A finance goal: the measure is at least ``at_least`` every month (``month``), summed
    over the plan (``horizon``) or in its last month (``end``)."""

    at_least: float = q("$", ge=-1e11)
    period: Literal["month", "horizon", "end"] = "month"


class Goals(Strict):
    """Finance goals beside the profit goal, each its own named limit."""

    revenue: Goal | None = None
    cash: Goal | None = None
    recurring_revenue: Goal | None = None
    customers: Goal | None = None
    bookings: Goal | None = None
    deals: Goal | None = None
    new_customers: Goal | None = None

    def stated(self) -> list[tuple[str, Goal]]:
        return [(m, g) for m in GOAL_MEASURES if (g := getattr(self, m)) is not None]


GOAL_MEASURES = (
    "revenue",
    "cash",
    "recurring_revenue",
    "customers",
    "bookings",
    "deals",
    "new_customers",
)


class Finance(Strict):
    """The money: operating surplus must cover retained earnings plus the profit target."""

    fixed_bills_per_month: float = q("$/month", ge=0)
    retained_earnings_per_month: float = q("$/month", ge=0, default=0)
    profit_target_per_month: float = q("$/month", default=0)
    goal_period: Literal["month", "horizon"] = "month"
    cash: Cash | None = None
    goals: Goals = Goals()


class CurrentTargets(Strict):
    """The targets the company gives people today. Every field is optional."""

    calls_per_rep_per_day: float | None = q("conversations/rep/day", ge=0, default=None)
    dials_per_rep_per_day: float | None = q("dials/rep/day", ge=0, default=None)
    stages_per_rep_per_week: dict[str, Annotated[float, Field(ge=0, le=1e6)]] = Field(
        default_factory=dict
    )  # later funnel stages a rep a week, by stage name ({demo: 5})
    reps: dict[str, Annotated[int, Field(ge=0, le=1_000_000)]] = Field(default_factory=dict)
    quota_per_rep_per_month: float | None = q("$/rep/month", ge=0, default=None)
    leads_per_month: float | None = q("leads/month", ge=0, default=None)
    ad_spend_per_month: float | None = q("$/month", ge=0, default=None)
    workers: int | None = q("people", ge=0, default=None)
    units_per_worker_per_month: float | None = q("units/person/month", ge=0, default=None)
    support_agents: int | None = q("people", ge=0, default=None)
    tickets_per_agent_per_day: float | None = q("tickets/person/day", ge=0, default=None)
    weights: dict[str, Annotated[float, Field(ge=0, le=1e6)]] = Field(default_factory=dict)

    @field_validator("weights")
    @classmethod
    def _known_weights(cls, weights: dict[str, float]) -> dict[str, float]:
        known = set(cls.model_fields) - {"weights"}
        for key, w in weights.items():
            if key not in known:
                raise ValueError(f"unknown target {key!r}; expected one of {sorted(known)}")
            if w < 0:
                raise ValueError(f"weight of {key!r} is {w:g}; expected a number >= 0")
        return weights


class LeverSetting(Strict):
    """How hard a lever is to change (cost per unit of change), or that it cannot move."""

    weight: float | None = q("cost/unit of change", gt=0, default=None)
    fixed: bool = False


class Scenario(Strict):
    """A whole scenario: calendar, the five departments, today's targets and the objective."""

    name: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")
    description: str = Field("", max_length=20_000)
    objective: Literal[OBJECTIVES] = Objective.max_profit.value  # a plain str, as in the file
    calendar: Calendar
    marketing: Marketing
    sales: Sales
    delivery: Delivery | None = None
    support: Support | None = None
    recurring_revenue: RecurringRevenue | None = None
    finance: Finance
    horizon_end: HorizonEnd = HorizonEnd()
    current_targets: CurrentTargets = CurrentTargets()
    levers: dict[str, LeverSetting] = Field(default_factory=dict)
    uncertainty: Uncertainty | None = None  # ranges on inputs (optimizer.scenario.uncertainty)

    def per_month(self, value: float | list[float] | None) -> np.ndarray:
        """A ``Monthly`` input of this scenario as one value per month of the horizon."""
        return per_month(value, self.calendar.horizon_months)

    def lever_paths(self) -> list[str]:
        """The inputs leadership controls, which a repair of an impossible plan may move.

        An ad budget given month by month is a lever a month
        (``marketing.ad_budget_per_month[2027-03]``): a repair may move each month's."""
        budget = self.marketing.ad_budget_per_month
        paths = [
            *(
                [f"marketing.ad_budget_per_month[{m}]" for m in self.calendar.month_labels()]
                if isinstance(budget, list)
                else ["marketing.ad_budget_per_month"]
            ),
            "marketing.marketers.max",
            *(f"sales.teams[{t.name}].reps.max" for t in self.sales.teams),
            "calendar.hours_per_day",
            QUALITY_FLOOR,
            "finance.profit_target_per_month",
            "finance.retained_earnings_per_month",
        ]
        if self.delivery is not None:
            paths.insert(3, "delivery.workers.max")
        if self.support is not None:
            paths.insert(3, "support.agents.max")
        fi = self.finance
        if fi.cash is not None and fi.cash.minimum is not None:
            paths.append("finance.cash.minimum")
        paths += [f"finance.goals.{measure}.at_least" for measure, _ in fi.goals.stated()]
        for path, staff in self.headcounts():  # hiring faster, where people flow
            if staff.flows and staff.hiring_lead_time_months > 0:
                paths.append(f"{path}.hiring_lead_time_months")
            if staff.flows and staff.max_hires_per_month is not None:
                paths.append(f"{path}.max_hires_per_month")
        return paths

    def roles(self) -> list[Role]:
        """Every role with a headcount, in the model's order: the one list the model's
        flows and costs, the check, the targets and the explanation read."""
        teams = self.sales.teams
        found = [
            Role("marketers", "marketing", "marketing.marketers", ("marketing",),
                 (self.marketing.marketers,)),
            Role("reps", "sales", "sales.teams[{team}].reps", tuple(t.name for t in teams),
                 tuple(t.reps for t in teams)),
        ]  # fmt: skip
        if self.delivery is not None:
            found.append(Role("workers", "delivery", "delivery.workers", ("delivery",),
                              (self.delivery.workers,)))  # fmt: skip
        if self.support is not None:
            found.append(Role("agents", "support", "support.agents", ("support",),
                              (self.support.agents,)))  # fmt: skip
            found += [
                Role(f"{c.name}_agents", "support", f"support.live_channels[{c.name}].agents",
                     (c.name,), (c.agents,))
                for c in self.support.live_channels
            ]  # fmt: skip
        return found

    def banded_line(self) -> tuple[str, str, list[ServiceBand]] | None:
        """(key, input path, bands) of the support line run at one of its service bands,
        or None. At most one line has bands (checked), so that each month has one band
        whose collection profile and churn apply."""
        su = self.support
        if su is None:
            return None
        for channel in su.live_channels:
            if channel.bands:
                return channel.name, f"support.live_channels[{channel.name}]", channel.bands
        if su.ticket_closure is not None and su.ticket_closure.bands:
            return "ticket_closure", "support.ticket_closure", su.ticket_closure.bands
        return None

    def headcounts(self) -> list[tuple[str, Headcount]]:
        """(input path, headcount) of every role with a headcount, team by team."""
        return [
            (role.path.format(team=name), staff)
            for role in self.roles()
            for name, staff in zip(role.names, role.staff)
        ]

    @model_validator(mode="after")
    def _cross_checks(self, info: ValidationInfo) -> Scenario:
        """Checks across sections, each reported at its own field path. The ranges on
        inputs are not checked again for a scenario whose numbers alone moved (validation
        context ``numbers_moved``: what-ifs and draws; the ranges name the same inputs)."""
        problems = _monthly_checks(self)
        for i, team in enumerate(self.sales.teams):
            lost = team.hours_lost_per_day.total()
            if lost >= self.calendar.hours_per_day:
                problems.append(
                    _cross_error(
                        ("sales", "teams", i, "hours_lost_per_day"),
                        lost,
                        f"hours lost that leave selling time: they add up to {lost:g} h of an "
                        f"{self.calendar.hours_per_day:g}-hour day (calendar.hours_per_day)",
                    )
                )
        months = self.calendar.horizon_months
        for i, team in enumerate(self.sales.teams):
            if len(team.opening_pipeline) > months:
                problems.append(
                    _cross_error(
                        ("sales", "teams", i, "opening_pipeline"),
                        team.opening_pipeline,
                        f"at most {months} value(s), the deals expected to close in each month "
                        f"of the {months}-month plan",
                    )
                )
        problems += _funnel_checks(self)
        team_names = sorted(t.name for t in self.sales.teams)
        for name in self.current_targets.reps:
            if name not in team_names:
                problems.append(
                    _cross_error(
                        ("current_targets", "reps", name),
                        name,
                        f"the name of a sales team, one of {team_names}",
                    )
                )
        problems += _money_checks(self)
        known = self.lever_paths()
        known += list(dict.fromkeys(_whole_input(p) for p in known if _whole_input(p) != p))
        for path in self.levers:
            if path not in known:
                problems.append(
                    _cross_error(
                        ("levers", path),
                        path,
                        f"a lever, one of {known}",
                    )
                )
        if not problems and not (info.context or {}).get("numbers_moved"):
            # the ranges are checked against a company that is itself sound: its inputs
            # are listed month by month, which a monthly list of the wrong length breaks
            problems += [_cross_error(*p) for p in uncertainty_problems(self)]
        if problems:
            raise ValidationError.from_exception_data("Scenario", problems)
        return self


def _funnel_checks(scenario: Scenario) -> list[InitErrorDetails]:
    """A team's own conversion rates give one per conversation tier; lead grades split the
    qualified leads (shares adding up to 1, unique names); a dials target needs dialing."""
    problems = []
    tiers = len(scenario.sales.conversation_tiers)
    for i, team in enumerate(scenario.sales.teams):
        if team.conversion_rates is not None and len(team.conversion_rates) != tiers:
            problems.append(
                _cross_error(
                    ("sales", "teams", i, "conversion_rates"),
                    team.conversion_rates,
                    f"one conversion rate per conversation tier ({tiers}), shortest first",
                )
            )
    grades = scenario.marketing.lead_grades
    if grades:
        names = [g.name for g in grades]
        if len(set(names)) != len(names):
            problems.append(_cross_error(("marketing", "lead_grades"), names, "unique grade names"))
        total = sum(g.share for g in grades)
        if abs(total - 1.0) > 1e-9:
            problems.append(
                _cross_error(
                    ("marketing", "lead_grades"),
                    [g.share for g in grades],
                    f"shares of the qualified leads that add up to 1 (they add up to {total:g})",
                )
            )
    dialing = any(
        t.dials is not None or (t.prospecting is not None and t.prospecting.dials is not None)
        for t in scenario.sales.teams
    )
    stage_names = [st.name for st in scenario.sales.stages]
    for name in scenario.current_targets.stages_per_rep_per_week:
        if name not in stage_names:
            problems.append(
                _cross_error(
                    ("current_targets", "stages_per_rep_per_week", name),
                    name,
                    f"the name of a funnel stage (sales.stages), one of {stage_names}",
                )
            )
    if scenario.current_targets.dials_per_rep_per_day is not None and not dialing:
        problems.append(
            _cross_error(
                ("current_targets", "dials_per_rep_per_day"),
                scenario.current_targets.dials_per_rep_per_day,
                "a team that dials: sales.teams[...].dials or sales.teams[...].prospecting.dials "
                "(minutes_per_dial and connect_rate)",
            )
        )
    return problems


def _money_checks(scenario: Scenario) -> list[InitErrorDetails]:
    """Recurring revenue, service bands, cash and goals, each at its own path: what one
    states needs what it refers to."""
    problems = []
    su, rr, fi = scenario.support, scenario.recurring_revenue, scenario.finance
    if su is not None and rr is None and su.installed_base_customers is None:
        problems.append(
            _cross_error(
                ("support", "installed_base_customers"),
                None,
                "the customers support serves today (a number >= 0)",
            )
        )
    if su is not None and rr is not None:
        # (a dumped scenario states every field: a value other than the default is the sign)
        for name, unused in (("installed_base_customers", None), ("new_customers_per_deal", 1)):
            if getattr(su, name) != unused:
                problems.append(
                    _cross_error(
                        ("support", name),
                        getattr(su, name),
                        f"no {name} here: with recurring_revenue, support serves its customers "
                        "(recurring_revenue.opening_customers, .new_customers_per_deal)",
                    )
                )
    banded = []
    if su is not None:
        banded = [
            ("support", "live_channels", i) for i, c in enumerate(su.live_channels) if c.bands
        ]
        if su.ticket_closure is not None and su.ticket_closure.bands:
            banded.append(("support", "ticket_closure"))
    for loc in banded[1:]:
        problems.append(
            _cross_error(
                (*loc, "bands"), "bands", f"bands on one support line only; {banded[0]} has them"
            )
        )
    line = scenario.banded_line()
    for i, band in enumerate(line[2] if line else []):
        loc = (*banded[0], "bands", i)
        if band.collection and fi.cash is None:
            problems.append(
                _cross_error(
                    (*loc, "collection"),
                    band.collection,
                    "a collection profile with finance.cash stated",
                )
            )
        if band.churn_per_month is not None and rr is None:
            problems.append(
                _cross_error(
                    (*loc, "churn_per_month"),
                    band.churn_per_month,
                    "churn with recurring_revenue stated",
                )
            )
    needs = {
        "cash": (fi.cash, "finance.cash"),
        "recurring_revenue": (rr, "recurring_revenue"),
        "customers": (rr, "recurring_revenue"),
    }
    for measure, goal in fi.goals.stated():
        section, name = needs.get(measure, (True, ""))
        if section is None:
            problems.append(
                _cross_error(
                    ("finance", "goals", measure), measure, f"a {measure} goal with {name} stated"
                )
            )
        if goal.period == "horizon" and measure in ("cash", "recurring_revenue", "customers"):
            problems.append(
                _cross_error(
                    ("finance", "goals", measure, "period"),
                    goal.period,
                    "month or end: a balance is not summed over months (horizon is for flows: "
                    "revenue, bookings, deals, new customers)",
                )
            )
    months = scenario.calendar.horizon_months
    if fi.cash is not None and len(fi.cash.opening_receivables) > months:
        problems.append(
            _cross_error(
                ("finance", "cash", "opening_receivables"),
                fi.cash.opening_receivables,
                f"at most {months} value(s), the invoices sent before the plan paid in each "
                f"month of the {months}-month plan",
            )
        )
    return problems  # fmt: skip


def monthly_inputs(node: BaseModel, loc: tuple = ()) -> typing.Iterator[tuple[tuple, Any]]:
    """(loc, value) of every ``Monthly`` field under ``node``, as pydantic locates it."""
    for name, monthly in _field_kinds(type(node)):
        value = getattr(node, name)
        if monthly:
            yield (*loc, name), value
        elif isinstance(value, BaseModel):
            yield from monthly_inputs(value, (*loc, name))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from monthly_inputs(item, (*loc, name, i))


def _monthly_checks(scenario: Scenario) -> list[InitErrorDetails]:
    """A list of the wrong length; then, month by month, the checks a section makes of its
    numbers (organic leads within the market, each price tier dearer than the last) where
    one of them is a list."""
    months = scenario.calendar.month_labels()
    n = len(months)
    span = months[0] if n == 1 else f"{months[0]}..{months[-1]}"
    problems = [
        _cross_error(
            loc,
            value,
            f"one number, or a list of {n} value{'s' if n > 1 else ''}, one per month {span} "
            f"(calendar.horizon_months is {n}); the list has {len(value)}",
        )
        for loc, value in monthly_inputs(scenario)
        if isinstance(value, list) and len(value) != n
    ]
    if problems:
        return problems
    mk = scenario.marketing
    if isinstance(mk.organic_leads_per_month, list) or isinstance(
        mk.market_size_leads_per_month, list
    ):
        organic, market = (
            scenario.per_month(mk.organic_leads_per_month),
            scenario.per_month(mk.market_size_leads_per_month),
        )
        for t in np.flatnonzero(organic > market):
            problems.append(
                _cross_error(
                    _month_loc(("marketing", "organic_leads_per_month"), mk, t),
                    float(organic[t]),
                    f"at most market_size_leads_per_month ({market[t]:g}) in {months[t]}",
                )
            )
    for c, channel in enumerate(mk.channels):
        tiers = channel.tiers
        for i in range(1, len(tiers)):
            low, high = tiers[i - 1].cost_per_lead, tiers[i].cost_per_lead
            if not (isinstance(low, list) or isinstance(high, list)):
                continue  # checked by the channel
            low, high = scenario.per_month(low), scenario.per_month(high)
            for t in np.flatnonzero(high <= low):
                problems.append(
                    _cross_error(
                        _month_loc(
                            ("marketing", "channels", c, "tiers", i, "cost_per_lead"), tiers[i], t
                        ),
                        float(high[t]),
                        f"more than tier {i - 1} (${low[t]:g}/lead) in {months[t]}; list tiers "
                        "from cheapest to dearest in every month",
                    )
                )
    return problems


def _whole_input(path: str) -> str:
    """The input of one month of a monthly input (its path without ``[YYYY-MM]``)."""
    return re.sub(r"\[\d{4}-\d{2}\]$", "", path)


def lever_setting(scenario: Scenario, path: str) -> LeverSetting | None:
    """The ``levers:`` setting of a lever; a month of the ad budget takes the whole
    budget's setting unless the month has its own."""
    found = scenario.levers.get(path)
    return found if found is not None else scenario.levers.get(_whole_input(path))


def _month_loc(loc: tuple, section: BaseModel, t: int) -> tuple:
    """``loc`` of a ``Monthly`` field, at month ``t`` where the section gives a list."""
    value = getattr(section, loc[-1])
    return (*loc, MONTHS_TAG, t) if isinstance(value, list) else loc


def _cross_error(loc: tuple, value: Any, expected: str) -> InitErrorDetails:
    return InitErrorDetails(
        type=PydanticCustomError("cross_check", "{expected}", {"expected": expected}),
        loc=loc,
        input=value,
    )


def _check_unique(names: list[str], what: str) -> None:
    seen = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{what} name {name!r} appears twice; names must be unique")
        seen.add(name)
