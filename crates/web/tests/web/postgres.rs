//! The most important scenarios again on PostgreSQL. Without COUNTERSIGN_TEST_POSTGRES_URL these
//! fail with a clear message, unless COUNTERSIGN_SKIP_POSTGRES=1.

use countersign_testkit::{TestApp, skip_postgres};

#[tokio::test]
async fn pg_login_ok() {
    if skip_postgres() {
        return;
    }
    crate::login::login_ok(TestApp::postgres().await).await;
}

#[tokio::test]
async fn pg_a_refused_sign_in_redirects_to_the_form() {
    if skip_postgres() {
        return;
    }
    crate::login::a_refused_sign_in_redirects_to_the_form(TestApp::postgres().await).await;
}

#[tokio::test]
async fn pg_unknown_email_and_wrong_password_are_identical() {
    if skip_postgres() {
        return;
    }
    crate::login::unknown_and_wrong_are_identical(TestApp::postgres().await).await;
}

#[tokio::test]
async fn pg_post_without_token_is_refused() {
    if skip_postgres() {
        return;
    }
    crate::csrf::post_without_token_is_refused(TestApp::postgres().await).await;
}

#[tokio::test]
async fn pg_org_isolation_matrix() {
    if skip_postgres() {
        return;
    }
    crate::isolation::matrix(TestApp::postgres().await).await;
}

#[tokio::test]
async fn pg_pod_frame_code_works_once() {
    if skip_postgres() {
        return;
    }
    crate::pod_frame::code_works_once(TestApp::postgres().await).await;
}

#[tokio::test]
async fn pg_pod_frame_session_is_org_scoped() {
    if skip_postgres() {
        return;
    }
    crate::pod_frame::pod_session_is_org_scoped(TestApp::postgres().await).await;
}

#[tokio::test]
async fn pg_racing_reveals_of_a_one_view_secret_have_one_winner() {
    if skip_postgres() {
        return;
    }
    crate::secrets::one_winner(TestApp::postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pg_parallel_logins_check_no_more_than_the_limit() {
    if skip_postgres() {
        return;
    }
    crate::limits::parallel_logins_check_no_more_than_the_limit(TestApp::postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pg_parallel_second_factors_stop_at_the_limit() {
    if skip_postgres() {
        return;
    }
    crate::limits::parallel_second_factors_stop_at_the_limit(TestApp::postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pg_disabling_2fa_is_throttled() {
    if skip_postgres() {
        return;
    }
    crate::limits::disabling_2fa_is_throttled(TestApp::postgres().await).await;
}

#[tokio::test]
async fn pg_branding_test_messages_are_rate_limited_per_technician_and_org() {
    if skip_postgres() {
        return;
    }
    crate::hardening::branding_tests_are_rate_limited(TestApp::postgres().await).await;
}

#[tokio::test]
async fn pg_only_the_maker_reveals_burns_or_changes_a_link() {
    if skip_postgres() {
        return;
    }
    crate::secret_owner::ownership(TestApp::postgres().await).await;
}

#[tokio::test]
async fn pg_stolen_session_cannot_enrol_an_authenticator() {
    if skip_postgres() {
        return;
    }
    crate::reauth::stolen_session_cannot_enrol_an_authenticator(TestApp::postgres().await).await;
}

#[tokio::test]
async fn pg_a_current_code_confirms() {
    if skip_postgres() {
        return;
    }
    crate::reauth::a_current_code_confirms(TestApp::postgres().await).await;
}

#[tokio::test]
async fn pg_privileged_changes_need_a_recent_proof() {
    if skip_postgres() {
        return;
    }
    crate::reauth::privileged_changes_need_a_recent_proof(TestApp::postgres().await).await;
}

#[tokio::test]
async fn pg_change_password_ends_other_sessions() {
    if skip_postgres() {
        return;
    }
    crate::credentials::change_password(TestApp::postgres().await).await;
}

#[tokio::test]
async fn pg_forgot_password_link_works_once() {
    if skip_postgres() {
        return;
    }
    crate::credentials::forgot_password(TestApp::postgres().await).await;
}

#[tokio::test]
async fn pg_parallel_posts_of_a_reset_link_have_one_winner() {
    if skip_postgres() {
        return;
    }
    crate::credentials::parallel_resets(TestApp::postgres().await).await;
}

#[tokio::test]
async fn pg_admin_reset_clears_password_and_second_factor() {
    if skip_postgres() {
        return;
    }
    crate::credentials::admin_reset(TestApp::postgres().await).await;
}

#[tokio::test]
async fn pg_unsubscribe_one_click_and_get_does_not() {
    if skip_postgres() {
        return;
    }
    crate::unsubscribe::one_click_unsubscribes_and_get_does_not(TestApp::postgres().await).await;
}

#[tokio::test]
async fn pg_unsubscribe_forged_and_altered_links_change_nothing() {
    if skip_postgres() {
        return;
    }
    let app = TestApp::postgres_with(crate::unsubscribe::options()).await;
    crate::unsubscribe::forged_and_altered_links_change_nothing(app).await;
}

#[tokio::test]
async fn pg_unsubscribe_contact_page_shows_and_admin_removes_opt_outs() {
    if skip_postgres() {
        return;
    }
    crate::unsubscribe::contact_page_shows_and_admin_removes_opt_outs(TestApp::postgres().await)
        .await;
}

#[tokio::test]
async fn pg_unsubscribe_a_delivered_broadcast_email_carries_its_link() {
    if skip_postgres() {
        return;
    }
    crate::unsubscribe::a_delivered_broadcast_email_carries_its_link(TestApp::postgres().await)
        .await;
}

#[tokio::test]
async fn pg_an_email_change_takes_effect_only_through_the_link_to_the_new_address() {
    if skip_postgres() {
        return;
    }
    crate::account_profile::email_change(TestApp::postgres().await).await;
}

#[tokio::test]
async fn pg_my_links_are_the_technicians_own_and_burn_with_a_redirect() {
    if skip_postgres() {
        return;
    }
    crate::my_links::my_links(TestApp::postgres().await).await;
}

#[tokio::test]
async fn pg_technician_verification_is_discoverable_and_branded() {
    if skip_postgres() {
        return;
    }
    crate::technician_outreach::outreach(TestApp::postgres().await).await;
}

#[tokio::test]
async fn pg_the_dashboard() {
    if skip_postgres() {
        return;
    }
    crate::dashboard::the_dashboard(TestApp::postgres().await).await;
}
