-- Who asked for a dashboard management action and who answered it.
--
-- A dashboard conversation is shared by the business's members, so the person who
-- says "yes" (or "no") to a pending action may not be the one who asked for it: an
-- owner may confirm a manager's request. The audit row names both:
--   requested_by  who asked for the action (the pending action's requester);
--   decided_by    who answered it with the right to decide (the requester, or a
--                 member with a strictly higher role);
--   decision      'confirmed' ("yes") or 'declined' ("no", or replaced by a new request).
-- user_id keeps its meaning: who did, or tried to do, what the row is about (on an
-- executed action, the confirmer it ran as; on a denial, whoever was denied); allowed
-- keeps saying whether it was let through. Rows that are not about a pending action
-- (a denied request, an analytics denial) leave the three columns null; a refused
-- answer (someone without the right to decide said "yes") has requested_by and no
-- decision. No foreign keys, like user_id: audit rows outlive the people they name.
alter table audit_log
  add column requested_by text check (requested_by is null or btrim(requested_by) <> ''),
  add column decided_by   text check (decided_by is null or btrim(decided_by) <> ''),
  add column decision     text check (decision in ('confirmed', 'declined')),
  add constraint audit_log_decision_has_decider check ((decision is null) = (decided_by is null));

-- Rows the management workflow wrote before this migration: its user_id was the
-- member who confirmed. Who asked was not recorded and stays unknown (null).
update audit_log
   set decided_by = user_id, decision = 'confirmed'
 where detail ? 'workflowId' and decision is null;
