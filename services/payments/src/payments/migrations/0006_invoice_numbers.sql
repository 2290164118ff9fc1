-- Invoice and credit note numbers (docs/invoices.md "Numbers"): one counter per authority and kind.
--
-- A number is taken by `INSERT ... ON CONFLICT DO UPDATE SET last = last + 1 RETURNING last` in the
-- transaction that writes the document: the counter's row stays locked until that transaction ends, so
-- two documents of one authority never get the same number, and a rolled-back document gives its number
-- back (no gaps). The unique (authority_id, number) of payments.invoice stands behind it.
CREATE TABLE payments.document_counter (
    authority_id uuid NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    last         integer NOT NULL CHECK (last > 0),
    PRIMARY KEY (authority_id, kind)
);
