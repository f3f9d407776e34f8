"""Pages of the loans app. A view finds its object in scope (or 404s), parses the form, calls
one service and renders; who may act is asked of `loans.workflow`, never decided here."""
