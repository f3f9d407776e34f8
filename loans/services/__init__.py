"""Writes of the loans app. Every state change and every money movement happens here, in a
transaction, after checking that `by` may act at the loan's area (`loans.workflow.ACTIONS`,
checked through `associations.authority`).

- `policy`: saving a loan policy (narrow, never widen);
- `transitions`: the one function that changes a loan's status, and the row lock;
- `eligibility`: every rule a loan must meet at submit, approval and disbursement;
- `applications`: from draft to ready (submit, review, approve, notice, objection, waitlist);
- `money`: disbursement, repayments, reversals, extension, write-off, recovery;
- `reminders`: repayment reminders."""
