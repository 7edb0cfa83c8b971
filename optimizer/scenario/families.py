"""Every constraint family of the model, declared once: key, label, kind, unit, equation, sentence.

A family is one kind of row, repeated over months (and teams, tiers, ...):
``sales-selling_time[2027-01,field]`` is a row of the family ``sales-selling_time``. Each
family is declared here once and read by every stage that needs it:

- the model builds its rows from it (``optimizer.model.chain.common.add_family``): the
  department, the sentence a leader reads, the unit, whether the row is a definition, a
  limit or a goal, and what the elastic relaxation may treat as a fact;
- the leader's label and kind come from it (``optimizer.scenario.labels``);
- the independent check names each finding by the family it recomputes
  (``optimizer.analysis.check``), so a finding joins the constraint table on ``family``.

A key with ``*`` stands for one family per live channel (``support-phone_service_level``)
or per current target (``targets-gap_calls_per_rep_per_day``); ``lookup`` fills the star.

The ``equation`` is the row in the model's symbols: t month, s team, k conversation-length
tier, j price tier, N a roster of agents, L the delivery lead time in months. The code that
builds the rows is in the department's module of ``optimizer.model.chain``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KINDS = ("capacity", "budget", "market", "policy", "goal", "identity")
"""What a row is to a leader: a limit a leader can move (the first five) or an identity
(accounting, a definition), which is never reported as binding and never ranked."""


@dataclass(frozen=True)
class Family:
    """One family of rows; see the module docstring."""

    key: str  # "sales-selling_time"; "support-*_service_level" for one per live channel
    label: str | None  # "Selling time, {team} team, {month}"; None: the key made readable
    kind: str  # one of KINDS
    unit: str | None  # "minutes/month"; None: the model gives it (a target's own unit)
    equation: str
    sentence: str  # what the rows say, in words; ``{fields}`` are filled by the model
    variants: dict[str, tuple[str, str]] = field(default_factory=dict)  # name: (sentence, unit)
    nature: str = "policy"  # for the elastic relaxation: "policy", "capacity" or "fact"

    @property
    def model_kind(self) -> str:
        """The model's kind of row: a definition, a goal or a limit."""
        return {"identity": "definition", "goal": "goal"}.get(self.kind, "limit")

    def says(self, variant: str = "", **fill) -> tuple[str, str | None]:
        """The sentence and unit of the rows (of ``variant``), with ``fill`` put in."""
        sentence, unit = self.variants[variant] if variant else (self.sentence, self.unit)
        return sentence.format(**fill), unit


_MAX = "No more {role} than the headcount cap allows."
_MIN = "At least the minimum number of {role} stay on staff."


def _headcount(key: str, who: str, role: str, where: str = "") -> list[Family]:
    """The families of a headcount: its cap and its floor (``common.add_headcount``), and
    the workforce flow of a role with an opening headcount (``chain/workforce.py``)."""
    return [
        Family(f"{key}_max", f"Cap on {who}{where}, {{month}}", "capacity", "people",
               f"{role}[t] <= most allowed", _MAX),
        Family(f"{key}_min", f"Fewest {who} kept{where}, {{month}}", "policy", "people",
               f"{role}[t] >= fewest kept", _MIN),
        Family(f"{key}_flow", f"People flow, {who}{where}, {{month}}", "identity", "people",
               f"{role}[t] = (1 - attrition) * {role}[t-1] + starts[t] - departures[t]; "
               f"{role}[-1] = opening headcount",
               "The {role} employed are last month's, less those who leave on their own "
               "(attrition), plus hires starting, less departures."),
        Family(f"{key}_hiring_lead_time", f"Hiring lead time, {who}{where}, {{month}}",
               "capacity", "people",
               "starts[t] <= people already hired to start in t, for t < hiring lead time",
               "A hire decided in the plan starts only after the hiring lead time: in the "
               "first months only people hired before the plan can start.", nature="capacity"),
        Family(f"{key}_hires_max", f"Most hires a month, {who}{where}, {{month}}", "capacity",
               "people", "starts[t] <= most hires a month",
               "Recruiting can bring in only so many {role} a month.", nature="capacity"),
        Family(f"{key}_hiring_month", f"Hiring month, {who}{where}, {{month}}", "identity",
               "people", "starts[t] <= (most + opening) * (1 - going[t])",
               "A month either brings {role} in or lets them go, not both."),
        Family(f"{key}_leaving_month", f"Letting-go month, {who}{where}, {{month}}",
               "identity", "people", "departures[t] <= (most + opening) * going[t]",
               "Only a month marked as letting {role} go lets them go."),
        Family(f"{key}_leaving_marked", f"Letting-go mark, {who}{where}, {{month}}",
               "identity", "people", "going[t] <= departures[t]",
               "A month is marked as letting {role} go only when someone goes."),
        Family(f"{key}_departures_max", f"Most departures a month, {who}{where}, {{month}}",
               "policy", "people", "departures[t] <= most departures a month",
               "Only so many {role} may be let go in a month."),
        Family(f"{key}_ramp", f"Ramp-up of new {who}{where}, {{month}}", "capacity", "people",
               "ramping[t] >= sum_k (1 - ramp_k) * (1 - attrition)^k * starts[t-k]",
               "New {role} are not yet at full speed: the share of a person each recent hire "
               "still lacks is lost to the work.", nature="capacity"),
        Family(f"{key}_productive_total", f"Productive {who}{where}, {{month}}", "identity",
               "people", f"productive[t] = {role}[t] - ramping[t]",
               "The {role} doing the work are those employed less the ramp-up shortfall."),
    ]  # fmt: skip


FAMILIES: list[Family] = [
    # marketing
    *_headcount("marketing-marketers", "marketers", "marketers"),
    Family("marketing-lead_total", "Leads, {month}", "identity", "leads/month",
           "leads[t] = organic leads + sum_j paid_leads[t,j]",
           "New leads are the organic leads plus the paid leads of every channel."),
    Family("marketing-spend_total", "Ad spend, {month}", "identity", "$/month",
           "ad_spend[t] = sum_j cost per lead_j * paid_leads[t,j]",
           "Ad spend is each paid lead at its channel's tier price."),
    Family("marketing-tier_volume", "Leads in price tier {tier}, {month}", "market",
           "leads/month", "paid_leads[t,j] <= leads tier j sells a month",
           "A price tier sells only so many leads a month before the next, dearer tier.",
           nature="fact"),
    Family("marketing-ad_budget", "Ad budget, {month}", "budget", "$/month",
           "ad_spend[t] <= ad budget", "Ad spend stays within the monthly ad budget."),
    Family("marketing-market_size", "Market size, {month}", "market", "leads/month",
           "leads[t] <= market size",
           "New leads cannot exceed the prospects the market can reach in a month.",
           nature="fact"),
    Family("marketing-addressable_market", "Total addressable market, whole plan", "market",
           "leads", "sum_t leads[t] <= total addressable market",
           "Over the whole horizon, leads cannot exceed the total addressable market.",
           nature="fact"),
    Family("marketing-spend_per_marketer", "Ad spend the marketers can run, {month}",
           "capacity", "$/month", "ad_spend[t] <= ad spend one marketer can run * marketers[t]",
           "Each marketer can run only so much ad spend a month."),
    # sales
    *_headcount("sales-reps", "reps", "reps[t,s]", ", {team} team"),
    Family("sales-selling_time", "Selling time, {team} team, {month}", "capacity",
           "minutes/month",
           "sum_k (minutes_k + admin_s + follow-up_s + minutes a dial_s / connect rate_s) * "
           "conversations[t,s,k] + sum_j stage minutes_j * stage[t,s,j] + minutes a found "
           "lead_s * leads_found[t,s] <= business days * (hours a day - hours lost_s) * 60 * "
           "bookable share_s * reps[t,s]",
           "Each team's conversations, with their admin minutes, fit in the selling time its "
           "reps have left after travel, meetings, follow-ups and trade shows.",
           {"funnel": ("Each team's conversations, with their admin, follow-up and dialing "
                       "minutes, its later meetings and its own prospecting fit in the share "
                       "of the selling time its reps can book after travel, meetings, "
                       "follow-ups and trade shows.", "minutes/month")},
           nature="capacity"),
    Family("sales-lead_supply", "Qualified leads for conversations, {month}", "market",
           "conversations/month",
           "sum_{s,k} (conversations[t,s,k] - own_lead_conversations[t,s,k]) <= touches per "
           "lead * qualified share * leads[t]",
           "Every conversation needs a qualified lead: conversations cannot outrun the leads "
           "marketing supplies.",
           {"own leads": ("Every conversation not held with a lead the reps found themselves "
                          "needs one of marketing's qualified leads.", "conversations/month")},
           nature="capacity"),
    Family("sales-own_leads", "Self-found leads, {team} team, {month}", "market",
           "conversations/month",
           "sum_k own_lead_conversations[t,s,k] <= touches per lead * qualified share_s * "
           "leads_found[t,s]",
           "Conversations with leads the reps found themselves need those leads: only the "
           "qualified share of what they find is worth a conversation.", nature="capacity"),
    Family("sales-grade_supply", "Qualified {grade} leads, {month}", "market",
           "conversations/month",
           "sum_{s,k} graded[t,s,k,g] <= touches per lead * qualified share * share_g * "
           "leads[t]",
           "Conversations with leads of a grade cannot outrun that grade's share of the "
           "qualified leads marketing supplies.", nature="capacity"),
    Family("sales-grade_split", "Leads by grade, {team} team, {tier}, {month}", "identity",
           "conversations/month",
           "sum_g graded[t,s,k,g] + own_lead_conversations[t,s,k] = conversations[t,s,k]",
           "Each conversation is held with a lead of one grade, or one the reps found."),
    Family("sales-own_within", "Own-lead conversations, {team} team, {tier}, {month}",
           "identity", "conversations/month",
           "own_lead_conversations[t,s,k] <= conversations[t,s,k]",
           "Conversations with self-found leads are some of the team's conversations."),
    Family("sales-stage_entry", "First later stage, {team} team, {month}", "identity",
           "meetings/month",
           "stage[t,s,first] = sum_k tier rate_{s,k} * (conversations[t,s,k] + (factor_s - 1) "
           "* own_lead_conversations[t,s,k] + sum_g (factor_g - 1) * graded[t,s,k,g])",
           "The first later stage holds the conversations that move on, at the rate of their "
           "length (a self-found lead at the team's factor)."),
    Family("sales-stage_flow", "Funnel stage, {team} team, {stage}, {month}", "identity",
           "meetings/month", "stage[t,s,j] = stage rate_{j-1} * stage[t,s,j-1]",
           "Each stage holds the share of the stage before it that moves on."),
    Family("sales-attainment", "Rep attainment, {team} team, {month}", "capacity",
           "$/month", "deal value_s * deals won[t,s] <= mean attainment_s * productive "
           "reps[t,s] (deals won: closing in the month, or won there with a sales cycle, so "
           "that deals won before the plan do not count against its reps)",
           "A team wins no more than its reps win on average: the mean of what a fully "
           "ramped rep sells, a ramping rep at its ramp productivity.", nature="capacity"),
    Family("sales-quality_floor", "Quality floor, {team} team, {month}", "policy",
           "conversations/month",
           "sum_{k: minutes_k < shortest quality conversation} conversations[t,s,k] <= 0",
           "No conversation is shorter than the minimum minutes a quality conversation needs."),
    Family("sales-deal_total", "Deals, {team} team, {month}", "identity", "deals/month",
           "deals[t,s] = sum_k conversion rate_k * conversations[t,s,k], a self-found or graded "
           "lead's at its factor (with a sales cycle: deals_won[t,s])",
           "Deals are conversations times the conversion rate of their length.",
           {"sales cycle": ("Deals won in a month are its conversations times the conversion "
                            "rate of their length; they close over the following months.",
                            "deals/month"),
            "stages": ("Deals won are the last stage's volume times its conversion rate.",
                       "deals/month")}),
    Family("sales-deal_closing", "Deals closing, {team} team, {month}", "identity",
           "deals/month",
           "deals[t,s] = sum_{u<=t} close share_s[t-u] * deals_won[u,s] + opening pipeline_s[t]",
           "Deals close over the months after they are won, by the team's close profile, "
           "plus the deals already in the pipeline when the plan starts."),
    # delivery
    *_headcount("delivery-workers", "delivery workers", "workers"),
    Family("delivery-units_total", "Units sold, {month}", "identity", "units/month",
           "units_sold[t] = units per deal * sum_s deals[t,s]",
           "Units sold are deals times the units in a deal."),
    Family("delivery-capacity", "Building capacity, {month}", "capacity", "units/month",
           "production[t] <= units a worker builds a month * workers[t]",
           "Production cannot exceed what the delivery workers can build in a month.",
           nature="capacity"),
    Family("delivery-on_time", "Delivery on time, {month}", "policy", "units",
           "sum_{u<=t} production[u] >= sum_{u<=t-L} units_sold[u] (everything sold is built "
           "by the last month; with L = 0 the row is an equality)",
           "Every unit sold is delivered within the promised lead time.",
           {"no lead time": ("Each month builds exactly the units it sells (no lead time).",
                             "units")}),
    Family("delivery-build_to_order", "Built to order, {month}", "policy", "units",
           "sum_{u<=t} production[u] <= sum_{u<=t} units_sold[u], every month but the last",
           "Units are built to order: production never runs ahead of sales."),
    # support
    *_headcount("support-agents", "support agents", "agents"),
    Family("support-ticket_total", "Tickets, {month}", "identity", "tickets/month",
           "tickets[t] = tickets per customer * (installed base + new customers per deal * "
           "sum_{u<=t,s} deals[u,s])",
           "Tickets come from the installed base plus every customer won so far.",
           {"recurring": ("Tickets come from every paying customer of the month.",
                          "tickets/month")}),
    Family("support-capacity", "Ticket desk capacity, {month}", "capacity", "minutes/month",
           "handle minutes * tickets[t] <= business days * hours a day * 60 * (1 - shrinkage) "
           "* most occupancy * agents[t]",
           "Handling every ticket keeps agents below the maximum occupancy."),
    Family("support-tickets_per_day_total", "Tickets a day, {month}", "identity",
           "tickets/day", "business days * tickets_per_day[t] = tickets[t]",
           "Tickets arrive evenly over the business days of a month."),
    # support, one family per live channel (and ticket closure's Erlang rows): * is the line
    *_headcount("support-*_agents", "agents", "agents of the line", ", {line}"),
    Family("support-*_contacts_total", "Contacts in the busiest interval, {line}, {month}",
           "identity", "contacts/interval",
           "contacts[t] = contacts per customer * customers[t] * peak factor / intervals a "
           "month; intervals a month = business days * hours a day * 60 / interval minutes",
           "{Line} contacts in the busiest {interval}-minute interval grow with the installed "
           "base and every customer won."),
    Family("support-*_staffing_choice", "Staffing chosen, {line}, {month}", "identity",
           "choice", "sum_N chosen[t,N] = 1", "The {line} roster is one whole number of agents."),
    Family("support-*_staffing_count", "Agents chosen, {line}, {month}", "identity", "people",
           "agents[t] = sum_N N * chosen[t,N] (with a workforce flow: >=)",
           "The {line} agents are the chosen roster.",
           {"flow": ("The {line} roster scheduled is a whole number of agents, at most the "
                     "productive agents employed.", "people")}),
    Family("support-*_service_level", "Service level target, {line}, {month}", "policy",
           "contacts/interval",
           "contacts[t] <= sum_N cap[N] * chosen[t,N]; cap[N] is the most contacts N scheduled "
           "agents answer to the service level, occupancy and wait caps (Erlang C)",
           "The {level:g}/{within:g} {line} target: {share:.0%} of contacts answered within "
           "{within:g} s in the busiest interval, occupancy at most {occupancy:.0%} (Erlang C).",
           {"ticket closure": ("Support closes {share:.0%} of tickets within {hours:g} working "
                               "hours (Erlang C over a working day).", "tickets/day"),
            "bands": ("The {line} runs each month at one of its service bands ({bands}), "
                      "staffed for that band's target (Erlang C).", "contacts/interval"),
            "closure bands": ("The ticket desk runs each month at one of its service bands "
                              "({bands}), staffed for that band's closure target (Erlang C over "
                              "a working day).", "tickets/day")}),
    # customers (recurring revenue; chain/customers.py)
    Family("customers-new_total", "New customers, {month}", "identity", "customers",
           "new_customers[t] = new customers per deal * sum_s deals[t,s]",
           "Every deal closed brings new paying customers."),
    Family("customers-customers_total", "Customers, {month}", "identity", "customers",
           "customers[t] = customers[t-1] - churned[t] + new_customers[t]; customers[-1] = "
           "opening customers",
           "The paying customers are last month's, less those who leave, plus the new ones."),
    Family("customers-churn_total", "Customers leaving, {month}", "identity", "customers",
           "churned[t] = churn * customers[t-1]",
           "A share of last month's customers leaves each month (churn).",
           {"bands": ("A share of last month's customers leaves each month, at the churn of "
                      "the service band support runs at.", "customers")}),
    Family("customers-at_risk_split", "Customers by service band, {month}", "identity",
           "customers", "sum_b at_risk[t,b] = customers[t-1]",
           "Last month's customers all meet the service band of the month."),
    Family("customers-at_risk_band", "Customers at band, {band}, {month}", "identity",
           "customers", "at_risk[t,b] <= most customers * band[t,b]",
           "Only the band support runs at sets the month's churn."),
    Family("customers-recurring_total", "Recurring revenue, {month}", "identity", "$/month",
           "recurring_revenue[t] = revenue per customer * (1 + expansion)^t * customers[t]",
           "Every paying customer brings its monthly revenue, grown by net expansion."),
    Family("customers-base_value_total", "Customers paying at the end, whole plan", "identity",
           "$", "customer_base_value = customer months * revenue per customer[last] * "
           "customers[last]",
           "Customers still paying when the plan ends count at a number of months of their "
           "revenue, so that the last months are not starved."),
    # finance
    Family("finance-revenue_total", "Revenue, {month}", "identity", "$/month",
           "revenue[t] = sum_s average deal value_s * deals[t,s]",
           "Revenue is every team's deals at its average deal value.",
           {"recurring": ("Revenue is every team's deals at their one-time value plus the "
                          "customers' recurring revenue.", "$/month")}),
    Family("finance-payroll_total", "Payroll, {month}", "identity", "$/month",
           "payroll[t] = sum over roles of monthly cost * headcount[t] + sum_s commission "
           "share_s * deal value_s * deals[t,s]",
           "Payroll is every role's headcount at its monthly cost.",
           {"commission": ("Payroll is every role's headcount at its monthly cost, plus the "
                           "reps' commission on the deals they close.", "$/month")}),
    Family("finance-cogs_total", "Cost of goods, {month}", "identity", "$/month",
           "cogs[t] = unit cost * production[t]",
           "Cost of goods is every unit built at its unit cost."),
    Family("finance-hiring_costs_total", "Hiring and departure costs, {month}", "identity",
           "$/month",
           "hiring_costs[t] = sum over roles of cost per hire * starts[t] + cost per departure "
           "* departures[t]",
           "Every hire costs its recruiting and onboarding when they start, every departure "
           "its severance."),
    Family("finance-open_pipeline_total", "Open pipeline at the end, whole plan", "identity",
           "$", "open_pipeline_value = horizon-end share * sum_{u,s} deal value_s * share of "
           "deals_won[u,s] closing after the last month * deals_won[u,s]",
           "Deals still open when the plan ends count at the horizon-end share of their value, "
           "so that the last months are not starved."),
    Family("finance-profit_total", "Profit, {month}", "identity", "$/month",
           "profit[t] = revenue[t] - cogs[t] - payroll[t] - ad_spend[t] - hiring_costs[t] - "
           "fixed bills",
           "Profit is revenue less cost of goods, payroll, ad spend and fixed bills.",
           {"hiring": ("Profit is revenue less cost of goods, payroll, ad spend, hiring and "
                       "departure costs and fixed bills.", "$/month")}),
    # cash (chain/cash.py)
    Family("finance-invoiced_split", "Invoices by service band, {month}", "identity", "$/month",
           "sum_b invoiced[t,b] = revenue[t]",
           "A month's revenue is invoiced under the service band support runs at."),
    Family("finance-invoiced_band", "Invoices at band, {band}, {month}", "identity", "$/month",
           "invoiced[t,b] <= most revenue * band[t,b]",
           "Only the band support runs at sets when the month's invoices are paid."),
    Family("finance-collected_total", "Collections, {month}", "identity", "$/month",
           "collected[t] = opening receivables paid in t + sum_{u<=t} p[t-u] * revenue[u]",
           "Customers pay each month's invoices by the collection profile.",
           {"bands": ("Customers pay each month's invoices by the collection profile of the "
                      "service band support ran at that month.", "$/month")}),
    Family("finance-receivables_total", "Receivables, {month}", "identity", "$",
           "receivables[t] = receivables[t-1] + revenue[t] - collected[t]; receivables[-1] = "
           "opening receivables",
           "Invoices sent and not yet paid are receivables."),
    Family("finance-cash_total", "Cash, {month}", "identity", "$",
           "cash[t] = cash[t-1] + collected[t] - payroll[t] - ad_spend[t] - cogs[t] - "
           "hiring_costs[t] - fixed bills; cash[-1] = opening cash",
           "Cash in the bank is last month's plus what customers paid, less everything paid "
           "out."),
    Family("finance-minimum_cash", "Minimum cash, {month}", "budget", "$",
           "cash[t] >= minimum cash",
           "Cash in the bank never falls below the minimum at a month end.", nature="policy"),
    Family("finance-revenue_goal", "Revenue goal, {month}", "goal", "$/month",
           "revenue[t] >= goal (each month), sum_t revenue[t] >= goal (horizon), or "
           "revenue[last] >= goal (end)", "Each month's revenue reaches the goal.",
           {"horizon": ("Revenue over the whole plan reaches the goal.", "$"),
            "end": ("Revenue in the plan's last month reaches the goal.", "$/month")}),
    Family("finance-cash_goal", "Cash goal, {month}", "goal", "$",
           "cash[t] >= goal (each month) or cash[last] >= goal (end)",
           "Cash in the bank reaches the goal at every month end.",
           {"end": ("Cash in the bank reaches the goal at the plan's end.", "$")}),
    Family("finance-recurring_revenue_goal", "Recurring revenue goal, {month}", "goal",
           "$/month", "recurring_revenue[t] >= goal (each month) or recurring_revenue[last] "
           ">= goal (end)", "Monthly recurring revenue reaches the goal every month.",
           {"end": ("Monthly recurring revenue reaches the goal by the plan's end.",
                    "$/month")}),
    Family("finance-customers_goal", "Customers goal, {month}", "goal", "customers",
           "customers[t] >= goal (each month) or customers[last] >= goal (end)",
           "Paying customers reach the goal every month.",
           {"end": ("Paying customers reach the goal by the plan's end.", "customers")}),
    Family("finance-bookings_goal", "Bookings goal, {month}", "goal", "$/month",
           "sum_s deal value_s * deals[t,s] + contract months * revenue per customer * "
           "new_customers[t] >= goal (each month, summed over the horizon, or in the last "
           "month)", "Each month's bookings reach the goal.",
           {"horizon": ("Bookings over the whole plan reach the goal.", "$"),
            "end": ("Bookings in the plan's last month reach the goal.", "$/month")}),
    Family("finance-deals_goal", "Deals goal, {month}", "goal", "deals/month",
           "sum_s deals[t,s] >= goal (each month, summed over the horizon, or in the last "
           "month)", "Each month's closed deals reach the goal.",
           {"horizon": ("Deals closed over the whole plan reach the goal.", "deals"),
            "end": ("Deals closed in the plan's last month reach the goal.", "deals/month")}),
    Family("finance-new_customers_goal", "New customers goal, {month}", "goal",
           "customers/month",
           "new customers a deal * sum_s deals[t,s] >= goal (each month, summed over the "
           "horizon, or in the last month)", "Each month's new customers reach the goal.",
           {"horizon": ("New customers over the whole plan reach the goal.", "customers"),
            "end": ("New customers in the plan's last month reach the goal.",
                    "customers/month")}),
    Family("finance-profit_goal", "Profit goal, {month}", "goal", "$/month",
           "profit[t] >= retained earnings + profit target (per month), or sum_t profit[t] >= "
           "months * (retained earnings + profit target) (over the horizon)",
           "Each month's profit covers the retained earnings and the profit target.",
           {"horizon": ("Profit over the horizon covers the retained earnings and the profit "
                        "target.", "$")}),
    # today's targets, under closest_to_current: * is the target
    Family("targets-gap_*", None, "identity", None,
           "target's quantity[t] - over[t] + under[t] = today's target",
           "How far the plan is from today's {target} target."),
]  # fmt: skip

BY_KEY = {f.key: f for f in FAMILIES}
_STARRED = [
    (re.compile(re.escape(f.key).replace(r"\*", "(?P<star>.+?)") + "$"), f)
    for f in FAMILIES
    if "*" in f.key
]


def lookup(key: str) -> tuple[Family, str | None] | None:
    """The family of ``key`` and what its star stands for (None: no star), or None if
    ``key`` is not a declared family."""
    if key in BY_KEY:
        return BY_KEY[key], None
    for pattern, family in _STARRED:
        found = pattern.match(key)
        if found:
            return family, found.group("star")
    return None


def family_of(name: str) -> str:
    """The family key of a row or check name: ``sales-selling_time[2027-01,field]`` ->
    ``sales-selling_time``."""
    return name.split("[", 1)[0]
