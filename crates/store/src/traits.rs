//! The Store contract, one trait per aggregate. Both backends implement every trait, and the
//! conformance suite (tests/conformance) runs the same scenarios against both.

use crate::StoreResult;
use crate::chain::AuditKey;
use crate::model::*;
use countersign_domain::{
    InviteId, JobId, MessageId, OrgId, Permissions, Role, SessionId, TechnicianId, Timestamp,
};

/// Orgs (MSP accounts).
pub trait OrgStore {
    /// Inserts an org. `Conflict` when the slug is taken.
    async fn create_org(&self, org: &Org) -> StoreResult<()>;
    /// The org with this id, or `NotFound`.
    async fn org(&self, id: OrgId) -> StoreResult<Org>;
    /// The org with this slug, if any. Not org-scoped: the slug is public (`/t/{slug}`).
    async fn org_by_slug(&self, slug: &str) -> StoreResult<Option<Org>>;
    /// Changes the org's name and 2FA requirement. `NotFound` when there is no such org.
    async fn update_org_settings(
        &self,
        id: OrgId,
        name: &str,
        require_2fa: bool,
    ) -> StoreResult<()>;
}

/// Technician accounts and their second factors.
pub trait TechnicianStore {
    /// Inserts a technician. `Conflict` when the email is taken (emails are unique server-wide
    /// because they are the login name).
    async fn create_technician(&self, t: &Technician) -> StoreResult<()>;
    /// The technician of this org with this id, or `NotFound`.
    async fn technician(&self, org: OrgId, id: TechnicianId) -> StoreResult<Technician>;
    /// Login lookup by email (lowercased by the store too, so the match ignores case). Not
    /// org-scoped: at login the org is not known yet.
    async fn technician_by_email_for_login(&self, email: &str) -> StoreResult<Option<Technician>>;
    /// All technicians of the org, ordered by email.
    async fn technicians(&self, org: OrgId) -> StoreResult<Vec<Technician>>;
    /// Number of active admins of the org (the last one may not be demoted or deactivated).
    async fn count_active_admins(&self, org: OrgId) -> StoreResult<i64>;
    /// Changes the role. `NotFound` when the org has no such technician (this applies to
    /// every single-technician update below).
    async fn set_role(&self, org: OrgId, id: TechnicianId, role: Role) -> StoreResult<()>;
    /// Deactivates or reactivates; deactivation deletes every session of the technician in the
    /// same transaction, so they are signed out at once.
    async fn set_active(&self, org: OrgId, id: TechnicianId, active: bool) -> StoreResult<()>;
    /// Changes the role or the activity (as [`Self::set_role`] / [`Self::set_active`]) unless
    /// that would leave the org with no active admin: the count and the write are one step,
    /// serialised per org, so two admins demoting or deactivating each other at once leave
    /// one. `Ok(false)` when refused (nothing changed); `NotFound` as above.
    async fn change_keeping_an_admin(
        &self,
        org: OrgId,
        id: TechnicianId,
        change: TechnicianChange,
    ) -> StoreResult<bool>;
    /// Replaces the password hash.
    async fn set_password_hash(&self, org: OrgId, id: TechnicianId, hash: &str) -> StoreResult<()>;
    /// Records a successful login.
    async fn set_last_login(&self, org: OrgId, id: TechnicianId, at: Timestamp) -> StoreResult<()>;
    /// Stores (or clears) the sealed TOTP seed offered during enrollment.
    async fn set_totp_pending(
        &self,
        org: OrgId,
        id: TechnicianId,
        sealed: Option<&[u8]>,
    ) -> StoreResult<()>;
    /// Enables TOTP: moves in the sealed seed, clears the pending one and replaces the recovery
    /// codes with these hashes (numbered 1, 2, … in this order), in one transaction.
    async fn enable_totp(
        &self,
        org: OrgId,
        id: TechnicianId,
        sealed: &[u8],
        recovery_code_hashes: &[Vec<u8>],
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Disables TOTP and deletes the recovery codes.
    async fn disable_totp(&self, org: OrgId, id: TechnicianId) -> StoreResult<()>;
    /// Accepts a TOTP time step only if it is newer than the last accepted one (a code is valid
    /// once). Returns false when the step was already used (or the org has no such
    /// technician). One conditional `UPDATE`, so racing requests cannot both succeed.
    async fn claim_totp_step(&self, org: OrgId, id: TechnicianId, step: i64) -> StoreResult<bool>;
    /// Marks an unused recovery code with this hash as used. Returns false when there is none
    /// (for this technician of this org). One conditional `UPDATE`.
    async fn use_recovery_code(
        &self,
        org: OrgId,
        id: TechnicianId,
        code_hash: &[u8],
        at: Timestamp,
    ) -> StoreResult<bool>;
    /// How many recovery codes are left unused.
    async fn recovery_codes_left(&self, org: OrgId, id: TechnicianId) -> StoreResult<i64>;
    /// Replaces the permissions granted to the technician (on top of their role).
    async fn set_permissions(
        &self,
        org: OrgId,
        id: TechnicianId,
        permissions: &Permissions,
    ) -> StoreResult<()>;
}

/// Invitations of technicians.
pub trait InviteStore {
    /// Inserts an invite. `Conflict` when the token hash is taken.
    async fn create_invite(&self, invite: &Invite) -> StoreResult<()>;
    /// The invite of this org, or `NotFound`.
    async fn invite(&self, org: OrgId, id: InviteId) -> StoreResult<Invite>;
    /// Lookup by token hash. Not org-scoped: the link token is the capability.
    async fn invite_by_token_hash(&self, token_hash: &[u8]) -> StoreResult<Option<Invite>>;
    /// Invites not yet accepted or revoked (expired ones included, newest first).
    async fn open_invites(&self, org: OrgId) -> StoreResult<Vec<Invite>>;
    /// Revokes an open invite. `NotFound` when the org has no such invite still open.
    async fn revoke_invite(&self, org: OrgId, id: InviteId, at: Timestamp) -> StoreResult<()>;
    /// Atomically consumes the invite (open, unexpired at `at`) and creates the technician.
    /// Returns false, changing nothing, when the invite was already used, revoked or expired,
    /// or belongs to another org than `technician.org_id`. When the technician cannot be
    /// inserted (`Conflict` on the email) the invite stays open.
    async fn accept_invite(
        &self,
        invite_id: InviteId,
        technician: &Technician,
        at: Timestamp,
    ) -> StoreResult<bool>;
}

/// Server-side sessions.
pub trait SessionStore {
    /// Inserts a session. `Conflict` when the token hash is taken.
    async fn create_session(&self, s: &Session) -> StoreResult<()>;
    /// Lookup by the hash of the cookie token. Not org-scoped: the token is the capability.
    async fn session_by_token_hash(&self, token_hash: &[u8]) -> StoreResult<Option<Session>>;
    /// The same lookup with the session's technician and org, in one read (every request
    /// resolves its session). Not org-scoped, for the same reason.
    async fn session_with_owner(
        &self,
        token_hash: &[u8],
    ) -> StoreResult<Option<(Session, Technician, Org)>>;
    /// Records activity (for the idle timeout). Never moves `last_seen_at` backwards; a
    /// session deleted meanwhile is not an error.
    async fn touch_session(&self, id: SessionId, at: Timestamp) -> StoreResult<()>;
    /// Ends one session (signing out). Deleting a missing session is not an error.
    async fn delete_session(&self, id: SessionId) -> StoreResult<()>;
    /// Signs a technician out everywhere. Returns how many sessions ended.
    async fn delete_sessions_of(&self, org: OrgId, technician: TechnicianId) -> StoreResult<u64>;
    /// Sessions of a technician not yet purged, newest first.
    async fn sessions_of(&self, org: OrgId, technician: TechnicianId) -> StoreResult<Vec<Session>>;
    /// Deletes sessions whose absolute expiry passed (`expires_at <= now`) or that were idle
    /// since `idle_before` (`last_seen_at < idle_before`). Returns how many.
    async fn purge_sessions(&self, now: Timestamp, idle_before: Timestamp) -> StoreResult<u64>;
}

/// Failure counters for login throttling, kept in the database so they survive restarts and
/// are shared by every process.
pub trait ThrottleStore {
    /// Adds a failure to `key`; a counter whose first failure is older than `window_start`
    /// starts again at 1. Returns the updated counter.
    async fn record_failure(
        &self,
        key: &str,
        at: Timestamp,
        window_start: Timestamp,
    ) -> StoreResult<Throttle>;
    /// The counter of `key`, if it has failures.
    async fn throttle(&self, key: &str) -> StoreResult<Option<Throttle>>;
    /// Forgets the failures of `key` (after a successful login).
    async fn clear_throttle(&self, key: &str) -> StoreResult<()>;
    /// Reserves one attempt on `key` before the slow check it guards, in one statement: unless
    /// `key` is locked under `rule` at `at`, counts the attempt as a failure (a counter whose
    /// first failure is older than the window, or than `rule.max_lock` once it reached
    /// `rule.max`, starts again at 1) and returns the updated counter; `None` when locked
    /// (nothing changed). Concurrent reservations each see the others' counts, so no more than
    /// `rule.max` attempts are checked however many arrive at once.
    async fn reserve_attempt(
        &self,
        key: &str,
        at: Timestamp,
        rule: &LockRule,
    ) -> StoreResult<Option<Throttle>>;
    /// Gives back a reservation whose attempt was not a failure (it succeeded, or was never
    /// checked): one count less. A counter left at `rule.max` or more gets a last failure time
    /// whose lock has ended, as it had before the reservation (only an ended lock lets one in).
    async fn release_attempt(&self, key: &str, at: Timestamp, rule: &LockRule) -> StoreResult<()>;
    /// Forgets every counter whose key starts with `prefix` (an admin unlocking an account:
    /// its `account-ip:<email>:` keys). Returns how many. Not org-scoped, like every throttle
    /// key: the caller builds the prefix from a technician it looked up within its org.
    async fn clear_throttles_with_prefix(&self, prefix: &str) -> StoreResult<u64>;
    /// Records that the technician signed in from the address with this HMAC at `at`, keeping
    /// only the `keep` most recently seen addresses of the technician (in one transaction).
    /// `NotFound` when the org has no such technician.
    async fn remember_sign_in_address(
        &self,
        org: OrgId,
        technician: TechnicianId,
        address_hash: &[u8],
        at: Timestamp,
        keep: u32,
    ) -> StoreResult<()>;
    /// Whether the technician has signed in from the address with this HMAC (and it is still
    /// among the kept ones).
    async fn is_known_sign_in_address(
        &self,
        org: OrgId,
        technician: TechnicianId,
        address_hash: &[u8],
    ) -> StoreResult<bool>;
}

/// The append-only, hash-chained audit log.
pub trait AuditStore {
    /// Appends an entry, chaining it to the last one (serialised across processes), MACed
    /// with `key`.
    async fn append_audit(&self, key: &AuditKey, entry: &NewAuditEntry) -> StoreResult<AuditEntry>;
    /// Appends `entries` in order, chained and MACed with `key`, in one transaction (group
    /// commit: many appends for the price of one). All or none are appended.
    async fn append_audit_batch(
        &self,
        key: &AuditKey,
        entries: &[NewAuditEntry],
    ) -> StoreResult<Vec<AuditEntry>>;
    /// Entries of one org matching the filter, newest first (server-wide entries, whose org
    /// is `None`, are never returned here).
    async fn audit_entries(&self, org: OrgId, filter: &AuditFilter)
    -> StoreResult<Vec<AuditEntry>>;
    /// The whole chain in order (every org), entries with `seq > after_seq`, at most `limit`
    /// (clamped to `0..=`[`crate::MAX_AUDIT_CHAIN_PAGE`]), for verification.
    async fn audit_chain(&self, after_seq: i64, limit: i64) -> StoreResult<Vec<AuditEntry>>;
    /// The newest entry of the whole chain, for publishing its head. Not org-scoped: the
    /// chain is server-wide and its head is published to the operator's log only.
    async fn audit_tail(&self) -> StoreResult<Option<AuditEntry>>;
}

/// Access to sealed values for key rotation and the start-up key check.
pub trait SealedStore {
    /// Key ids with a canary (a value sealed under that key when it was first used).
    async fn key_canaries(&self) -> StoreResult<Vec<(String, Vec<u8>)>>;
    /// Stores the canary of a key id. `Conflict` when the key id has one already.
    async fn add_key_canary(&self, key_id: &str, sealed: &[u8]) -> StoreResult<()>;
    /// Non-null values of a sealed column, ordered by row id, after `after_row` (keyset), at
    /// most `limit` (clamped to `0..=`[`crate::MAX_SEALED_PAGE`]). `after_row` must be a
    /// `row_id` this method returned (`Unsupported` otherwise).
    async fn sealed_values(
        &self,
        column: SealedColumn,
        after_row: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<SealedValue>>;
    /// Replaces a sealed value only if it still equals `old` (compare-and-swap, so a rotation
    /// never overwrites a value written meanwhile). Returns whether it was replaced.
    async fn reseal(
        &self,
        column: SealedColumn,
        row_id: &str,
        old: &[u8],
        new: &[u8],
    ) -> StoreResult<bool>;
}

/// The durable job queue. Workers claim jobs of every org (a worker serves the whole server),
/// so the claim and the worker-side calls are not org-scoped: they act on jobs the worker
/// holds the lease of. The Jobs page uses the org-scoped calls.
pub trait JobStore {
    /// Queues a job. Returns false, changing nothing, when a job of the org with the same
    /// `dedup_key` exists.
    async fn enqueue_job(&self, job: &NewJob) -> StoreResult<bool>;
    /// Claims up to `limit` due jobs (queued with `run_at <= now`, or running with an expired
    /// lease) for `worker`, holding them until `lease_until`; counts an attempt for each.
    /// PostgreSQL skips rows another worker is claiming (`FOR UPDATE SKIP LOCKED`); SQLite
    /// claims in one `UPDATE … RETURNING` inside an immediate transaction. Not org-scoped.
    async fn claim_jobs(
        &self,
        worker: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<Job>>;
    /// Deletes a finished job, if `worker` still holds it. Returns whether it did. Not
    /// org-scoped: the lease is the capability.
    async fn complete_job(&self, id: JobId, worker: &str) -> StoreResult<bool>;
    /// Puts a failed job back in the queue until `run_at`, if `worker` still holds it.
    async fn retry_job_later(
        &self,
        id: JobId,
        worker: &str,
        run_at: Timestamp,
        error: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Declares a job dead with its last error, if `worker` still holds it.
    async fn bury_job(
        &self,
        id: JobId,
        worker: &str,
        error: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Jobs of the org, optionally in one state, newest first, at most `limit` (clamped to
    /// `0..=`[`crate::MAX_JOB_PAGE`]).
    async fn jobs(&self, org: OrgId, state: Option<JobState>, limit: i64) -> StoreResult<Vec<Job>>;
    /// One job of the org, or `NotFound`.
    async fn job(&self, org: OrgId, id: JobId) -> StoreResult<Job>;
    /// Queues a dead job again with fresh attempts. `NotFound` unless the org has such a
    /// dead job.
    async fn requeue_dead_job(&self, org: OrgId, id: JobId, now: Timestamp) -> StoreResult<()>;
    /// Deletes a queued or dead job. `NotFound` unless the org has such a job (a running one
    /// cannot be deleted from under its worker).
    async fn delete_job(&self, org: OrgId, id: JobId) -> StoreResult<()>;
    /// Jobs of the org per state.
    async fn job_counts(&self, org: OrgId) -> StoreResult<JobCounts>;
}

/// Outgoing messages, their state history, and SMS consent.
pub trait MessageStore {
    /// Inserts the message (with its first history entry) and, when given, its delivery job,
    /// in one transaction. When the org already has a message with this idempotency key,
    /// returns that one and inserts nothing; the flag says whether the message is new.
    async fn queue_message(
        &self,
        message: &NewMessage,
        job: Option<&NewJob>,
    ) -> StoreResult<(Message, bool)>;
    /// The message of this org, or `NotFound`.
    async fn message(&self, org: OrgId, id: MessageId) -> StoreResult<Message>;
    /// The message of this org queued with this idempotency key, if any (e.g.
    /// `verification:<id>`: the handset side of benchmarks and tests).
    async fn message_by_key(&self, org: OrgId, key: &str) -> StoreResult<Option<Message>>;
    /// Messages of the org matching the filter, newest first.
    async fn messages(&self, org: OrgId, filter: &MessageFilter) -> StoreResult<Vec<Message>>;
    /// The state history of a message of this org, oldest first.
    async fn message_events(&self, org: OrgId, id: MessageId) -> StoreResult<Vec<MessageEvent>>;
    /// Starts a delivery attempt: a `queued` or `sending` message (the latter: a worker died
    /// mid-attempt) becomes `sending` with one more attempt. Returns `None`, changing nothing,
    /// when the message is further along, so a retried job never sends it twice.
    async fn begin_attempt(
        &self,
        org: OrgId,
        id: MessageId,
        at: Timestamp,
    ) -> StoreResult<Option<Message>>;
    /// Applies a transition (see [`Transition`]) and records it in the history. Returns false,
    /// changing nothing, when the message is already at or past that rank. Entering
    /// `accepted`, `sent`, `delivered` or `undelivered` also clears the bodies.
    async fn transition_message(
        &self,
        org: OrgId,
        id: MessageId,
        transition: &Transition,
    ) -> StoreResult<bool>;
    /// Applies a provider's status report to the message with this provider id. Not
    /// org-scoped: the caller verified the report's signature, and the provider id is the
    /// only reference a status callback carries. Returns the message's org and id when it was
    /// applied.
    async fn transition_by_provider_id(
        &self,
        transport: TransportKind,
        provider_id: &str,
        transition: &Transition,
    ) -> StoreResult<Option<(OrgId, MessageId)>>;
    /// Records an org's SMS consent for an E.164 number.
    async fn set_sms_opt_out(
        &self,
        org: OrgId,
        phone: &str,
        opted_out: bool,
        keyword: &str,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Whether the org's SMS to this number are blocked by an opt-out.
    async fn sms_opted_out(&self, org: OrgId, phone: &str) -> StoreResult<bool>;
    /// Records consent from an inbound keyword for every org that has sent an SMS to the
    /// number. Not org-scoped: the sending number is shared by the whole server, and the
    /// carrier applies the keyword to all traffic from it. Returns how many orgs.
    async fn record_inbound_consent(
        &self,
        phone: &str,
        opted_out: bool,
        keyword: &str,
        at: Timestamp,
    ) -> StoreResult<u64>;
}

/// The look of an org's messages.
pub trait BrandingStore {
    /// The org's branding, if it set one.
    async fn branding(&self, org: OrgId) -> StoreResult<Option<Branding>>;
    /// Creates or replaces the org's branding.
    async fn save_branding(&self, branding: &Branding) -> StoreResult<()>;
}

// The contact directory (customers, contacts, verifications, Pod settings); its types live in
// `crate::directory`.
use crate::directory::{
    Contact, ContactChange, ContactEdit, ContactQuery, Customer, CustomerSummary, PodSettings,
    SourceKind, SyncedContact, UpsertOutcome, Verification, VerificationEntry,
};
use countersign_domain::{ContactId, Country, CustomerId};

/// Customers of an org.
pub trait CustomerStore {
    /// Inserts a customer. `Conflict` when the org has a customer with this source and
    /// external id.
    async fn create_customer(&self, customer: &Customer) -> StoreResult<()>;
    /// The customer of this org, or `NotFound`.
    async fn customer(&self, org: OrgId, id: CustomerId) -> StoreResult<Customer>;
    /// Renames a customer and sets its default country. `NotFound` unless the org has it.
    async fn update_customer(
        &self,
        org: OrgId,
        id: CustomerId,
        name: &str,
        default_country: Option<Country>,
    ) -> StoreResult<()>;
    /// Creates or renames the customer a source knows by `external_id` (a sync calls this
    /// for each tenant), stamping `last_synced_at`. Returns the customer.
    async fn upsert_synced_customer(
        &self,
        org: OrgId,
        source: SourceKind,
        external_id: &str,
        name: &str,
        at: Timestamp,
    ) -> StoreResult<Customer>;
    /// Customers of the org by name, after the customer with this name key and id (keyset),
    /// at most `limit` (clamped to `0..=`[`crate::MAX_CUSTOMER_PAGE`]), each with its number
    /// of contacts not removed.
    async fn customers(
        &self,
        org: OrgId,
        after: Option<(&str, CustomerId)>,
        limit: i64,
    ) -> StoreResult<Vec<CustomerSummary>>;
    /// The customers of the org with these ids (unknown ids, or another org's, are left out).
    async fn customers_by_ids(&self, org: OrgId, ids: &[CustomerId]) -> StoreResult<Vec<Customer>>;
    /// Records the country of the customer's tenant. Whether it changed (false too when the
    /// org has no such customer).
    async fn set_tenant_country(
        &self,
        org: OrgId,
        id: CustomerId,
        country: Option<Country>,
    ) -> StoreResult<bool>;
}

/// The mobile numbers of a customer's contacts, re-read when a country they are read with
/// changes (the customer's default country, its tenant's country).
pub trait PhoneStore {
    /// The customer's contacts from `source` that have a mobile number (removed ones too).
    async fn contacts_with_mobile(
        &self,
        org: OrgId,
        customer: CustomerId,
        source: SourceKind,
    ) -> StoreResult<Vec<Contact>>;
    /// Sets the E.164 form of each listed contact's mobile number (keeping its search terms
    /// in step), in one transaction; contacts of other orgs are left alone. A new reading of
    /// the same text is not a number change: `phone_changed_at` and the history are not
    /// touched. Returns how many contacts changed.
    async fn set_mobile_e164s(
        &self,
        org: OrgId,
        changes: &[(ContactId, Option<String>)],
        at: Timestamp,
    ) -> StoreResult<u64>;
}

/// Contacts of an org, their search index and their change history.
pub trait ContactStore {
    /// Inserts a contact (manual, or a test's) with its search terms. `NotFound` when the
    /// org has no such customer.
    async fn create_contact(&self, contact: &Contact) -> StoreResult<()>;
    /// The contact of this org, or `NotFound`.
    async fn contact(&self, org: OrgId, id: ContactId) -> StoreResult<Contact>;
    /// Replaces the editable fields, keeps the search terms in step, and records a change
    /// of the mobile number or email address in the history (by `technician`), in one
    /// transaction. A changed mobile number sets `phone_changed_at`. Returns the contact.
    async fn update_contact(
        &self,
        org: OrgId,
        id: ContactId,
        edit: &ContactEdit,
        technician: Option<TechnicianId>,
        at: Timestamp,
    ) -> StoreResult<Contact>;
    /// Deletes a contact with its terms, history and verifications. `NotFound` unless the org
    /// has it.
    async fn delete_contact(&self, org: OrgId, id: ContactId) -> StoreResult<()>;
    /// Contacts of the org matching the query, in its order, starting after its cursor.
    async fn search_contacts(&self, org: OrgId, query: &ContactQuery) -> StoreResult<Vec<Contact>>;
    /// Writes a batch of users of one customer as a sync delivered them, keyed by external
    /// id: new ones are inserted, known ones updated (and marked removed when the source
    /// says so; a removal of an id never stored inserts nothing; an identical user only
    /// gets its sync time and is not counted as updated; a contact newly removed has its
    /// pending verifications failed); a changed mobile number is recorded in the history with `at`, so the Pod
    /// can warn about a recent change (SIM-swap risk). One transaction per call. `NotFound`
    /// when the org has no such customer.
    async fn upsert_synced_contacts(
        &self,
        org: OrgId,
        customer: CustomerId,
        source: SourceKind,
        batch: &[SyncedContact],
        at: Timestamp,
    ) -> StoreResult<UpsertOutcome>;
    /// The contact's recorded changes, newest first, at most `limit`.
    async fn contact_changes(
        &self,
        org: OrgId,
        id: ContactId,
        limit: i64,
    ) -> StoreResult<Vec<ContactChange>>;
}

/// Verifications of contacts, as the Pod's history shows them.
pub trait VerificationStore {
    /// Records a verification. `NotFound` when the contact or technician is not the org's.
    async fn record_verification(&self, v: &Verification) -> StoreResult<()>;
    /// The contact's verifications, newest first, at most `limit`.
    async fn verifications(
        &self,
        org: OrgId,
        contact: ContactId,
        limit: i64,
    ) -> StoreResult<Vec<VerificationEntry>>;
    /// For each of these contacts of the org that was ever verified, when it last was.
    async fn last_verified(
        &self,
        org: OrgId,
        contacts: &[ContactId],
    ) -> StoreResult<Vec<(ContactId, Timestamp)>>;
}

/// The org's Pod settings and which technicians may use the Pod only.
pub trait PodStore {
    /// The org's Pod settings (the defaults when it never saved any).
    async fn pod_settings(&self, org: OrgId) -> StoreResult<PodSettings>;
    /// Creates or replaces the org's Pod settings.
    async fn save_pod_settings(&self, settings: &PodSettings) -> StoreResult<()>;
    /// Restricts a technician to the Pod, or lifts the restriction. `NotFound` unless the org
    /// has the technician.
    async fn set_pod_only(&self, org: OrgId, id: TechnicianId, pod_only: bool) -> StoreResult<()>;
    /// Whether the technician is restricted to the Pod.
    async fn is_pod_only(&self, org: OrgId, id: TechnicianId) -> StoreResult<bool>;
}

use crate::integrations::{GdapCredentials, Integration, IntegrationSettings, OAuthState};
use countersign_domain::IntegrationId;

/// Integrations of an org and the round trips that connect them.
pub trait IntegrationStore {
    /// Inserts an integration.
    async fn create_integration(&self, integration: &Integration) -> StoreResult<()>;
    /// The integration of this org, or `NotFound`.
    async fn integration(&self, org: OrgId, id: IntegrationId) -> StoreResult<Integration>;
    /// The org's integrations, oldest first.
    async fn integrations(&self, org: OrgId) -> StoreResult<Vec<Integration>>;
    /// Renames. `NotFound` unless the org has it.
    async fn rename_integration(
        &self,
        org: OrgId,
        id: IntegrationId,
        name: &str,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Sets the cloud kind and the sync filters; when the filters change,
    /// forgets the delta links of its tenants (the next sync is a full round). `NotFound`
    /// unless the org has it.
    async fn update_integration_settings(
        &self,
        org: OrgId,
        id: IntegrationId,
        settings: &IntegrationSettings,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Contacts (not removed) of the customers whose tenants only this integration links:
    /// what deleting it deletes.
    async fn integration_contact_count(&self, org: OrgId, id: IntegrationId) -> StoreResult<i64>;
    /// Deletes the integration, its tenant links, round trips and the contacts counted by
    /// [`IntegrationStore::integration_contact_count`], in one transaction. Returns how
    /// many contacts were deleted. `NotFound` unless the org has it.
    async fn delete_integration(&self, org: OrgId, id: IntegrationId) -> StoreResult<u64>;
    /// Stores the GDAP credentials (secret sealed for this row) and sets status `pending`,
    /// dropping any stored sign-in.
    async fn set_gdap_credentials(
        &self,
        org: OrgId,
        id: IntegrationId,
        credentials: &GdapCredentials,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Stores the sealed refresh token of a finished sign-in; status `connected`.
    async fn save_gdap_sign_in(
        &self,
        org: OrgId,
        id: IntegrationId,
        sealed_refresh_token: &[u8],
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Keeps (or, with `None`, forgets) GDAP credentials entered in the dialog whose
    /// sign-in has not finished; the connection in use is left as it is (issue 17.8). A
    /// first sign-in shows status `pending`.
    async fn set_gdap_pending(
        &self,
        org: OrgId,
        id: IntegrationId,
        pending: Option<&GdapCredentials>,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// A sign-in succeeded: its credentials (secret sealed for `gdap_client_secret` of this
    /// row) and sealed refresh token replace the stored ones in one statement, status
    /// `connected`, the pending credentials cleared.
    async fn connect_gdap(
        &self,
        org: OrgId,
        id: IntegrationId,
        credentials: &GdapCredentials,
        sealed_refresh_token: &[u8],
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Replaces the refresh token only if it is still `old` (one statement, so a rotated
    /// token replaces exactly the one it came from). Returns whether it did.
    async fn rotate_gdap_refresh_token(
        &self,
        org: OrgId,
        id: IntegrationId,
        old: &[u8],
        new: &[u8],
    ) -> StoreResult<bool>;
    /// Marks GDAP as needing a new sign-in, with the reason (the refresh token is dropped).
    async fn mark_gdap_sign_in_again(
        &self,
        org: OrgId,
        id: IntegrationId,
        error: &str,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Inserts a round trip.
    async fn create_oauth_state(&self, state: &OAuthState) -> StoreResult<()>;
    /// Deletes and returns the round trip with this state hash if it has not expired at
    /// `now` (single use: a second call finds nothing). Not org-scoped: the state value is
    /// the capability; the caller checks the session and org it was bound to.
    async fn take_oauth_state(
        &self,
        state_hash: &[u8],
        now: Timestamp,
    ) -> StoreResult<Option<OAuthState>>;
}
