//! Access tokens for a linked tenant: app-only for consented tenants, delegated for GDAP
//! (the technician's refresh token redeemed against the customer tenant, §2.4).
//!
//! Microsoft rotates the refresh token on every use; each new one replaces the stored one only
//! if that is still the one redeemed (checked inside the integration's compare-and-swap
//! write), so a concurrent sync that rotated it first is not overwritten, and nothing is lost
//! (old tokens stay valid at Microsoft). An expired or revoked sign-in marks only this
//! integration "sign in again", and only if its refresh token is still the one refused (a
//! technician who signed in again meanwhile is not sent back).

use super::{GdapStatus, LinkKind, MicrosoftError, MicrosoftIntegration};
use crate::App;
use countersign_microsoft::{
    AccessToken, AppRegistration, Credentials, ErrorKind, MsError, TokenGrant,
};
use secrecy::{ExposeSecret, SecretString};
use std::future::Future;

/// Whose app registration a link's tokens come from (where its errors are fixed).
pub(crate) fn registration(link: LinkKind) -> AppRegistration {
    match link {
        LinkKind::AdminConsent => AppRegistration::Server,
        LinkKind::Gdap => AppRegistration::Gdap,
    }
}

/// Why no token could be had.
#[derive(Debug)]
pub(crate) enum TokenFailure {
    /// Microsoft refused or failed (kind and words in the error).
    Microsoft(MsError),
    /// Our side (store, sealing, configuration).
    Local(MicrosoftError),
}

impl TokenFailure {
    /// The failure as the technician reads it, with the advice of `app`'s registration.
    pub(crate) fn into_user(self, app: AppRegistration) -> MicrosoftError {
        match self {
            Self::Microsoft(e) => MicrosoftError::User(e.user_message_for(app, None)),
            Self::Local(e) => e,
        }
    }
}

impl From<MicrosoftError> for TokenFailure {
    fn from(e: MicrosoftError) -> Self {
        Self::Local(e)
    }
}

impl App {
    /// The GDAP app's credentials of an integration (secret opened here, at the point of use).
    pub(crate) fn gdap_credentials(
        &self,
        i: &MicrosoftIntegration,
    ) -> Result<Credentials, MicrosoftError> {
        let secrets = self.microsoft_secrets(i)?;
        let (Some(client_id), Some(secret)) =
            (&i.settings.gdap_client_id, &secrets.gdap_client_secret)
        else {
            return Err(MicrosoftError::User(
                "GDAP is not set up: use Connect to Microsoft 365 (GDAP)".into(),
            ));
        };
        Ok(Credentials {
            client_id: client_id.clone(),
            client_secret: SecretString::from(secret.clone()),
        })
    }

    /// A delegated token for `tenant` through the integration's GDAP sign-in.
    pub(crate) async fn gdap_token(
        &self,
        i: &MicrosoftIntegration,
        tenant: &str,
    ) -> Result<AccessToken, TokenFailure> {
        let cloud = self.cloud_of(i)?;
        let creds = self.gdap_credentials(i)?;
        let owner = i.id.to_string();
        if let Some(t) = self
            .microsoft
            .cached_delegated(&cloud, tenant, &creds, &owner)
            .await
        {
            return Ok(t);
        }
        // Re-read: another job may have rotated the token since `i` was loaded.
        let i = self.microsoft_integration(i.org_id, i.id).await?;
        let Some(rt) = self.microsoft_secrets(&i)?.gdap_refresh_token.clone() else {
            return Err(TokenFailure::Local(MicrosoftError::User(
                "the GDAP sign-in is missing or expired: use Connect to Microsoft 365 (GDAP) to sign in again".into(),
            )));
        };
        let set = match self
            .microsoft
            .token(&cloud, tenant, &creds, TokenGrant::RefreshToken(&rt))
            .await
        {
            Ok(set) => set,
            Err(e) => {
                if matches!(
                    e.kind(),
                    ErrorKind::SignInAgain
                        | ErrorKind::InvalidSecret
                        | ErrorKind::ExpiredSecret
                        | ErrorKind::BlockedByPolicy
                ) {
                    let why = e.user_message_for(AppRegistration::Gdap, None);
                    self.change_microsoft(i.org_id, i.id, |settings, secrets| {
                        if secrets.gdap_refresh_token.as_deref() != Some(rt.as_str()) {
                            return Ok(false);
                        }
                        secrets.gdap_refresh_token = None;
                        settings.gdap_status = GdapStatus::SignInAgain;
                        settings.gdap_error = Some(why.clone());
                        Ok(true)
                    })
                    .await?;
                }
                return Err(TokenFailure::Microsoft(e));
            }
        };
        if let Some(new_rt) = &set.refresh_token {
            // Nothing written when a concurrent redemption stored its own rotation first;
            // both tokens are valid, so keeping theirs loses nothing.
            self.change_microsoft(i.org_id, i.id, |_, secrets| {
                if secrets.gdap_refresh_token.as_deref() != Some(rt.as_str()) {
                    return Ok(false);
                }
                secrets.gdap_refresh_token = Some(new_rt.expose_secret().to_owned());
                Ok(true)
            })
            .await?;
        }
        self.microsoft
            .cache_delegated(&cloud, tenant, &creds, &owner, &set.access)
            .await;
        Ok(set.access)
    }

    /// A token for a linked tenant, by how it is linked.
    pub(crate) async fn link_token(
        &self,
        i: &MicrosoftIntegration,
        link: LinkKind,
        tenant: &str,
    ) -> Result<AccessToken, TokenFailure> {
        match link {
            LinkKind::AdminConsent => {
                let cloud = self.cloud_of(i)?;
                let creds = self.consent_credentials()?;
                self.microsoft
                    .app_token(&cloud, tenant, &creds)
                    .await
                    .map_err(TokenFailure::Microsoft)
            }
            LinkKind::Gdap => self.gdap_token(i, tenant).await,
        }
    }

    /// Calls Graph with a token for a linked tenant (or, for [`LinkKind::Gdap`], the partner
    /// tenant itself). When Graph rejects the token (401), the cached token is dropped
    /// everywhere (every path shares the cache) and the call is made once more with a newly
    /// issued token before any error is shown (issue 17.7).
    pub(crate) async fn with_token<T, F, Fut>(
        &self,
        i: &MicrosoftIntegration,
        link: LinkKind,
        tenant: &str,
        call: F,
    ) -> Result<T, TokenFailure>
    where
        F: Fn(AccessToken) -> Fut,
        Fut: Future<Output = Result<T, MsError>>,
    {
        let token = self.link_token(i, link, tenant).await?;
        match call(token).await {
            Err(e) if e.kind() == ErrorKind::TokenRejected => {
                self.forget_link_tokens(i, link, tenant);
                let token = self.link_token(i, link, tenant).await?;
                call(token).await.map_err(TokenFailure::Microsoft)
            }
            other => other.map_err(TokenFailure::Microsoft),
        }
    }

    /// Drops cached tokens of a tenant (after Graph rejected one).
    pub(crate) fn forget_link_tokens(
        &self,
        i: &MicrosoftIntegration,
        link: LinkKind,
        tenant: &str,
    ) {
        let Ok(cloud) = self.cloud_of(i) else { return };
        let creds = match link {
            LinkKind::AdminConsent => self.consent_credentials(),
            LinkKind::Gdap => self.gdap_credentials(i),
        };
        if let Ok(creds) = creds {
            self.microsoft
                .forget_tokens(&cloud, tenant, &creds, &i.id.to_string());
        }
    }
}
