//! `/s/{token}`: a secret sent to the recipient. GET/HEAD: the interstitial (sender, MSP,
//! expiry, views left; with recipient verification, the code step first). POST `…/reveal`
//! (from `static/secrets.js`, JSON): one claimed view. POST `…/code` and `…/verify`: the
//! code to the phone of record; both redirect back to `/s/{token}` with the step's outcome in
//! the query (`StepQuery`), so a refresh sends no second code and counts no second attempt.

use super::{ended_text, json_ok, nonce, private};
use crate::AppState;
use crate::accept_language::AcceptLanguage;
use crate::error::{Problem, RerenderOnUserError, WebError, one_line};
use crate::middleware::client_ip::ClientIp;
use crate::middleware::csrf::FormToken;
use crate::page::render;
use askama::Template;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use countersign_app::end_user::EndUserLocale;
use countersign_app::secrets::LinkView;
use countersign_app::verification::CodeOutcome;
use countersign_domain::VerificationId;
use countersign_messaging::end_user::Texts;
use countersign_store::{SecretKind, SecretState};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "public_secrets/send.html")]
struct SendPage {
    csrf: String,
    token: String,
    nonce: String,
    footer: String,
    label: String,
    has_passphrase: bool,
    /// Views left after the one this page's Reveal uses (the script's "N more times").
    more: i64,
    needs_code: bool,
    verification: Option<String>,
    error: Option<String>,
    notice: Option<String>,
    /// The texts in the recipient's language, with sender, MSP, expiry and phone filled in.
    t: Texts,
}

#[derive(Template)]
#[template(path = "public_secrets/ended.html")]
pub(super) struct EndedPage {
    pub lang: &'static str,
    pub msp: String,
    pub title: String,
    pub text: String,
    pub when: Option<String>,
}

/// The recipient's locale: their language (else their customer's, else the browser's), the
/// org's overrides, times in their customer's zone. A link of no org: the browser's.
pub(super) async fn locale_of(
    state: &AppState,
    accept: &AcceptLanguage,
    view: Option<&LinkView>,
) -> Result<EndUserLocale, WebError> {
    Ok(match view {
        Some(v) => {
            state
                .app
                .end_user_locale(v.secret.org_id, v.secret.contact_id, accept.as_deref())
                .await?
        }
        None => EndUserLocale::without_org(accept.as_deref()),
    })
}

/// The page of a link that cannot be used (or does not exist).
pub(super) async fn ended(
    state: &AppState,
    accept: &AcceptLanguage,
    view: Option<&LinkView>,
) -> Result<Response, WebError> {
    let locale = locale_of(state, accept, view).await?;
    let t = locale.texts();
    let Some(v) = view else {
        let page = EndedPage {
            lang: t.language().code(),
            msp: String::new(),
            title: t.t("secret-unknown-title"),
            text: t.t("secret-unknown-text"),
            when: None,
        };
        return Ok(private(
            (StatusCode::NOT_FOUND, render(&page)?).into_response(),
        ));
    };
    let key = ended_text(v.state);
    let s = &v.secret;
    let at = |id: &str, when: countersign_domain::Timestamp| {
        t.clone().with("expires", locale.time(when)).t(id)
    };
    let when = match v.state {
        SecretState::Revealed => s.last_revealed_at.map(|w| at("secret-opened-at", w)),
        SecretState::Expired => Some(at("secret-expired-at", s.expires_at)),
        SecretState::Burned => s.ended_at.map(|w| at("secret-cancelled-at", w)),
        _ => None,
    };
    let page = EndedPage {
        lang: t.language().code(),
        msp: v.brand.name.clone(),
        title: t.t(&format!("{key}-title")),
        text: t.t(&format!("{key}-text")),
        when,
    };
    Ok(private((StatusCode::GONE, render(&page)?).into_response()))
}

struct Extras {
    verification: Option<String>,
    error: Option<String>,
    notice: Option<String>,
    status: StatusCode,
}

impl Default for Extras {
    fn default() -> Self {
        Self {
            verification: None,
            error: None,
            notice: None,
            status: StatusCode::OK,
        }
    }
}

fn page(
    state: &AppState,
    form: &FormToken,
    token: String,
    v: &LinkView,
    locale: &EndUserLocale,
    x: Extras,
) -> Result<Response, WebError> {
    let s = &v.secret;
    let page = SendPage {
        csrf: form.token.clone(),
        nonce: nonce::issue(&state.app.keyring, s.id, state.app.now()),
        token,
        footer: v.brand.footer.clone(),
        label: s.label.clone(),
        has_passphrase: s.has_passphrase,
        more: s.views_left - 1,
        needs_code: s.require_verification && s.verification_id.is_none(),
        verification: x.verification,
        error: x.error,
        notice: x.notice,
        t: texts_of(v, locale),
    };
    Ok(private(form.respond((x.status, render(&page)?))))
}

/// The page's texts with its placeholders filled in.
fn texts_of(v: &LinkView, locale: &EndUserLocale) -> Texts {
    let s = &v.secret;
    locale
        .texts()
        .with("msp", v.brand.name.clone())
        .with("technician", v.technician.clone())
        .with("label", s.label.clone())
        .with("expires", locale.time(s.expires_at))
        .with_number("views", s.views_left)
        .with_number("more", s.views_left - 1)
        .with("phone", v.phone_masked.clone())
}

async fn view(state: &AppState, token: &str) -> Result<Option<LinkView>, WebError> {
    Ok(state.app.secret_link(token, SecretKind::Send).await?)
}

/// Where the code step's POSTs redirect to (PRG, issue 21.2): what happened, as ids and
/// small numbers only (never a code). A crafted link can at most show the code form or one of
/// these fixed messages; the code check itself is bound to the link's verification.
#[derive(Debug, Default, Deserialize)]
pub struct StepQuery {
    /// A code was sent for this verification: show its code form.
    #[serde(default)]
    code_sent: Option<String>,
    /// The last code was wrong; attempts left.
    #[serde(default)]
    wrong: Option<u32>,
    /// The code was right.
    #[serde(default)]
    verified: Option<String>,
    /// The code no longer works.
    #[serde(default)]
    dead: Option<String>,
}

impl StepQuery {
    fn extras(self, t: &Texts) -> Extras {
        let verification = self
            .code_sent
            .filter(|id| id.parse::<VerificationId>().is_ok());
        if self.verified.is_some() {
            return Extras {
                notice: Some(t.t("secret-code-verified")),
                ..Extras::default()
            };
        }
        if self.dead.is_some() {
            return Extras {
                error: Some(t.t("secret-code-dead")),
                ..Extras::default()
            };
        }
        let Some(verification) = verification else {
            return Extras::default();
        };
        let (notice, error) = match self.wrong {
            Some(left) => (
                None,
                Some(
                    t.clone()
                        .with_number("left", i64::from(left))
                        .t("secret-code-wrong"),
                ),
            ),
            None => (Some(t.t("secret-code-sent")), None),
        };
        Extras {
            verification: Some(verification),
            notice,
            error,
            ..Extras::default()
        }
    }
}

/// GET and HEAD /s/{token}: who sent it, until when. Claims nothing.
pub async fn show(
    State(state): State<AppState>,
    accept: AcceptLanguage,
    form: FormToken,
    Path(token): Path<String>,
    Query(q): Query<StepQuery>,
) -> Result<Response, WebError> {
    match view(&state, &token).await? {
        Some(v) if v.state == SecretState::Active => {
            let locale = locale_of(&state, &accept, Some(&v)).await?;
            let x = q.extras(&texts_of(&v, &locale));
            page(&state, &form, token, &v, &locale, x)
        }
        v => ended(&state, &accept, v.as_ref()).await,
    }
}

/// A 303 to the link's page with `query` (PRG): a refresh there sends and checks nothing.
fn to_page(form: &FormToken, token: &str, query: &str) -> Response {
    let to = format!("/s/{}?{query}", urlencoding::encode(token));
    private(form.respond(Redirect::to(&to)))
}

#[derive(Debug, Deserialize)]
pub struct RevealBody {
    #[serde(default)]
    nonce: String,
}

/// POST /s/{token}/reveal: claims one view; the ciphertext (and the server share) as JSON.
pub async fn reveal(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    body: Result<Json<RevealBody>, JsonRejection>,
) -> Response {
    let claimed = async {
        let Ok(Json(body)) = body else {
            return Err(Problem(WebError::BadRequest(
                "The request was malformed; reload the page and try again.".into(),
            )));
        };
        let keyring = state.app.keyring.clone();
        let now = state.app.now();
        let r = state
            .app
            .reveal_secret(&token, &ip.to_string(), |id| {
                nonce::check(&keyring, id, &body.nonce, now)
            })
            .await?;
        Ok(json_ok(serde_json::json!({
            "envelope": URL_SAFE_NO_PAD.encode(&r.envelope),
            "share": r.server_share.as_ref().map(|s| URL_SAFE_NO_PAD.encode(s.as_slice())),
            "views_left": r.views_left,
        })))
    };
    private(claimed.await.into_response())
}

/// POST /s/{token}/code: sends the code to the phone of record.
pub async fn send_code(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    accept: AcceptLanguage,
    form: FormToken,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let result = state.app.send_secret_code(&token, &ip.to_string()).await;
    let Some(v) = view(&state, &token).await? else {
        return ended(&state, &accept, None).await;
    };
    if v.state != SecretState::Active {
        return ended(&state, &accept, Some(&v)).await;
    }
    let locale = locale_of(&state, &accept, Some(&v)).await?;
    let (state, form, token, v, locale) = (&state, &form, &token, &v, &locale);
    let sent = result
        .or_rerender(|m| async move {
            let x = Extras {
                error: Some(one_line(&m)),
                status: StatusCode::UNPROCESSABLE_ENTITY,
                ..Extras::default()
            };
            page(state, form, token.clone(), v, locale, x)
        })
        .await?;
    Ok(to_page(
        form,
        token,
        &format!("code_sent={}", sent.verification),
    ))
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    verification: String,
    #[serde(default)]
    code: String,
}

/// POST /s/{token}/verify: checks the code; when right, Reveal becomes possible.
pub async fn check_code(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    accept: AcceptLanguage,
    form_token: FormToken,
    Path(token): Path<String>,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    let Ok(vid) = form.verification.parse::<VerificationId>() else {
        return Err(WebError::BadRequest(
            "The form is incomplete; reload the page and ask for a new code.".into(),
        ));
    };
    let result = state
        .app
        .check_secret_code(&token, vid, &form.code, &ip.to_string())
        .await;
    let Some(v) = view(&state, &token).await? else {
        return ended(&state, &accept, None).await;
    };
    if v.state != SecretState::Active {
        return ended(&state, &accept, Some(&v)).await;
    }
    let locale = locale_of(&state, &accept, Some(&v)).await?;
    let (state, form_token, token, v, locale) = (&state, &form_token, &token, &v, &locale);
    // The code form again, for the same verification, with `text` (422).
    let again = |text: String| Extras {
        verification: Some(vid.to_string()),
        error: Some(text),
        status: StatusCode::UNPROCESSABLE_ENTITY,
        ..Extras::default()
    };
    let outcome = result
        .or_rerender(|m| async move {
            page(
                state,
                form_token,
                token.clone(),
                v,
                locale,
                again(one_line(&m)),
            )
        })
        .await?;
    // Every outcome counted an attempt: a redirect, so a refresh does not count another.
    let query = match outcome {
        CodeOutcome::Verified => "verified=1".to_owned(),
        CodeOutcome::Wrong { left } => format!("code_sent={vid}&wrong={left}"),
        CodeOutcome::Dead | CodeOutcome::Unusable(_) => "dead=1".to_owned(),
    };
    Ok(to_page(form_token, token, &query))
}
