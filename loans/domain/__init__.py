"""Pure loan arithmetic and rules: fees, schedules, allocation of repayments, instalment
states and how policies combine. No database, no Django models: each function takes values and
returns values, so it can be tested with hand-computed tables and hypothesis."""
