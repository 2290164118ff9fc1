-- The rest of an authority's branding, edited by the council (GET/PUT /council/v1/identity/authority/branding)
-- and read by the gateway for its pages: the support team's name and hours, a help text of the
-- council's own, and a logo. Colours, name, support e-mail and telephone are columns since 0002.
ALTER TABLE identity.authority
    ADD COLUMN support_team  text CHECK (length(support_team) BETWEEN 1 AND 120),
    ADD COLUMN support_hours text CHECK (length(support_hours) BETWEEN 1 AND 200),
    ADD COLUMN help_text     text CHECK (length(help_text) BETWEEN 1 AND 4000);

-- The logo apart from the authority row, so that reading an authority never carries its bytes.
-- identity checks the type from the content (PNG or JPEG; never SVG, which can hold script).
CREATE TABLE identity.authority_logo (
    authority_id uuid PRIMARY KEY REFERENCES identity.authority,
    media_type   text NOT NULL CHECK (media_type IN ('image/png', 'image/jpeg')),
    content      bytea NOT NULL CHECK (octet_length(content) BETWEEN 1 AND 102400),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
