-- Every email of an order's life, not only its confirmation: shipped, cancelled and refunded.
--
-- `repeat_key` tells apart the emails of one kind an order can get several of: '' for the kinds an order
-- gets once (confirmation, shipping, cancellation: still one per order even if a second event announced the
-- same thing), and the event id for refunds (an order can be refunded several times, one email per refund).
--
-- `content` is what the email was rendered from (the event's data, and what the mailer added to it: the
-- address and order link from the confirmation), so that an operator's resend renders the same email again.
-- NULL for emails logged before this migration: those cannot be resent.
ALTER TABLE email_log
    ADD COLUMN repeat_key VARCHAR(64) NOT NULL DEFAULT '' AFTER kind,
    ADD COLUMN content JSON NULL AFTER subject,
    DROP INDEX uq_email_log_order_kind,
    ADD UNIQUE KEY uq_email_log_order_kind (order_number, kind, repeat_key),
    -- The admin's list, newest first, with one filter read from its own index (keyset pages by created_at, id).
    ADD KEY ix_email_log_state_created (state, created_at),
    ADD KEY ix_email_log_kind_created (kind, created_at),
    ADD KEY ix_email_log_recipient_created (recipient, created_at);
