//! Store conformance suite: one set of scenarios, run against every backend.
//!
//! Each scenario is an `async fn(&Store)` in the module of its aggregate. The `conformance!`
//! macro below turns every scenario into two tests, `sqlite::<module>::<scenario>` (a fresh
//! temporary file) and `postgres::<module>::<scenario>` (a fresh database on the server named
//! by `COUNTERSIGN_TEST_POSTGRES_URL`, dropped afterwards). Without that variable the
//! PostgreSQL tests fail, so CI cannot skip them by accident; set `COUNTERSIGN_SKIP_POSTGRES=1`
//! to skip them on purpose.

// The scenarios are test code: a failed `unwrap` is a failed test. (clippy's
// `allow-unwrap-in-tests` only covers `#[test]` functions, not the helpers they call.)
#![allow(clippy::unwrap_used)]

mod admin_guard;
mod audit;
mod audit_tamper;
mod backup;
mod broadcast_freeze;
mod broadcast_lanes;
mod broadcast_scoping;
mod broadcasts;
mod contacts;
mod credentials;
mod dashboard;
mod deliveries;
mod email_changes;
mod end_user;
mod fixtures;
mod harness;
mod integrations;
mod invites;
mod isolation;
mod jobs;
mod messages;
mod migration_0017;
mod migration_0025;
mod migration_0027;
mod migration_0032;
mod orgs;
mod permissions;
mod phones;
mod pod_handoffs;
mod removals;
mod sealed;
mod secrets;
mod sessions;
mod sync_unlink;
mod technicians;
mod throttles;
mod verifications;
mod webhooks;

/// Generates one test per scenario and backend.
macro_rules! conformance {
    ($($module:ident: [$($scenario:ident),* $(,)?]),* $(,)?) => {
        mod sqlite {
            $(mod $module {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $scenario() {
                        let db = crate::harness::TestDb::sqlite().await;
                        crate::$module::$scenario(&db.store).await;
                        db.close().await;
                    }
                )*
            })*
        }
        mod postgres {
            $(mod $module {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $scenario() {
                        let Some(db) = crate::harness::TestDb::postgres().await else {
                            return;
                        };
                        crate::$module::$scenario(&db.store).await;
                        db.close().await;
                    }
                )*
            })*
        }
    };
}

conformance! {
    orgs: [crud, slug_conflict, hostile_text_is_stored_verbatim],
    end_user: [
        overrides_are_per_org_and_language,
        a_contacts_locale_is_its_own_its_customers_and_its_orgs,
        the_sync_stores_the_sources_language,
    ],
    technicians: [
        create_and_lookup,
        email_conflict,
        roles_and_active_admin_count,
        deactivation_deletes_sessions,
        password_and_last_login,
        totp_enrollment,
        totp_step_is_claimed_once,
        recovery_codes_are_single_use,
    ],
    permissions: [granted_and_revoked_within_the_org],
    admin_guard: [
        last_admin_is_kept,
        admins_demoting_each_other_leave_one,
        admins_deactivating_each_other_leave_one,
    ],
    invites: [
        create_and_read,
        accept_once,
        expired_and_revoked_are_refused,
        taken_email_keeps_invite_open,
        concurrent_accepts_have_one_winner,
    ],
    sessions: [lifecycle, sessions_of_a_technician, purge, reauthentication],
    sync_unlink: [
        unlinking_hides_contacts_and_relinking_restores_them,
        a_tenant_reached_two_ways_stays_visible_while_one_link_remains,
        the_purge_deletes_only_expired_unlinked_contacts,
        retention_days_default_and_are_per_org,
        runs_are_recorded_per_source_and_org,
    ],
    credentials: [
        change_password_ends_the_other_sessions,
        a_reset_link_works_once_and_a_newer_one_replaces_it,
        racing_uses_of_a_link_have_one_winner,
        a_deactivated_technician_cannot_use_a_link,
        an_admin_reset_clears_password_second_factor_and_sessions,
        recovery_codes_are_listed_by_number_with_their_use,
    ],
    email_changes: [
        a_change_link_works_once_and_a_newer_request_replaces_it,
        racing_uses_of_a_change_link_have_one_winner,
        a_taken_address_or_a_deactivated_technician_changes_nothing,
        another_orgs_id_reads_and_cancels_nothing,
    ],
    pod_handoffs: [
        pod_sessions_are_sessions,
        codes_are_taken_once,
        frame_ancestors_of_every_org,
    ],
    throttles: [
        window,
        concurrent_failures_are_all_counted,
        reservations_stop_at_the_limit_under_concurrency,
        locks_double_and_end,
        released_reservations_do_not_count,
        sign_in_addresses_are_remembered_and_bounded,
        throttles_are_cleared_by_prefix,
    ],
    audit: [
        chain_links,
        filters,
        org_scoping,
        concurrent_appends_form_one_chain,
        batches_append_in_order_as_one_chain,
    ],
    sealed: [values_keyset_and_reseal, key_canaries],
    backup: [backup_while_serving],
    jobs: [
        claim_lease_retry_and_dead,
        jobs_are_org_scoped,
        concurrent_claims_never_share_a_job,
        job_progress_is_replaced_and_org_scoped,
        server_org_takes_jobs,
    ],
    messages: [
        queue_is_idempotent,
        the_unsubscribe_link_is_kept,
        transitions_and_history,
        failure_keeps_the_error_code,
        messages_are_org_scoped,
        sms_consent,
        branding_is_saved_per_org,
    ],
    broadcast_lanes: [
        a_message_records_its_lane,
        stop_and_start_on_the_broadcast_lane,
        a_broadcast_opt_out_stops_broadcast_messages_only,
        a_contact_source_opt_out_flag_is_respected,
    ],
    deliveries: [
        batch_attempts_are_org_scoped_and_check_consent,
        batch_results_follow_the_lease,
        batch_results_only_move_messages_forward,
        callbacks_find_the_message_by_our_id,
    ],
    contacts: [
        customers_and_counts,
        search_matches_phone_digits_names_and_email,
        filters_sorts_and_keyset_pages,
        pages_stay_stable_while_a_sync_writes,
        sync_records_mobile_changes,
        manual_contacts_are_edited_and_deleted,
        verifications_and_pod_settings,
        directory_methods_are_org_scoped,
    ],
    removals: [removal_fails_pending_verifications],
    broadcasts: [
        previews_count_recipients_channels_and_exclusions,
        drafts_move_forward_only,
    ],
    broadcast_freeze: [
        freezing_copies_the_audience_once_per_channel,
        freeze_limits_keep_nothing_when_refused,
    ],
    broadcast_scoping: [
        templates_opt_outs_and_settings,
        broadcast_methods_are_org_scoped,
    ],
    phones: [
        mobiles_are_read_again_without_a_resync,
        a_number_read_differently_is_not_a_number_change,
    ],
    integrations: [
        integrations_are_org_scoped_and_managed,
        concurrent_config_writes_lose_nothing,
        links_sync_state_and_delete_with_contacts,
        round_trips_are_single_use_and_expire,
        consent_sign_in_round_trips_keep_tenant_and_nonce,
        ended_links_are_kept_and_not_synced,
    ],
    dashboard: [
        the_rollup_counts_every_way_a_verification_ends,
        secure_send_and_messages_are_counted_per_period,
        one_orgs_figures_never_count_anothers,
    ],
    verifications: [
        send_limits_and_one_outstanding_request,
        send_limit_windows_slide_and_stay_per_scope,
        who_i_am_counts_apart_and_limits_say_when,
        only_live_checks_are_superseded,
        racing_guesses_never_exceed_the_attempt_cap,
        concurrent_link_answers_have_one_winner,
        technician_checks_flow_and_are_org_scoped,
        settings_round_trip_per_org,
    ],
    secrets: [
        concurrent_reveals_of_a_one_view_secret_have_one_winner,
        views_expiry_and_burn_are_enforced_in_the_claim,
        verification_gates_the_server_share,
        requests_are_answered_once_and_revealed_once,
        secrets_are_org_scoped,
        owner_only_actions_name_the_maker,
        a_technicians_links_are_listed_newest_first_within_the_org,
    ],
    webhooks: [
        endpoints_are_org_scoped_and_managed,
        deliveries_queue_once_per_event_with_their_jobs,
        attempts_record_status_until_final,
        orgs_subscribed_to_a_kind,
    ],
    isolation: [
        technician_methods,
        totp_methods,
        invite_methods,
        session_methods,
        audit_methods,
        cross_org_references_are_refused,
    ],
}
