//! CSP / GDAP: the MSP's own app, a technician's sign-in (authorization code + PKCE,
//! `offline_access`), and the customer tenants its GDAP relationships reach.

use super::tokens::TokenFailure;
use super::{
    GdapStatus, LinkKind, MicrosoftError, NewTenantLink, PendingGdap, aad, gdap_redirect_uri,
};
use crate::audit::Actor;
use crate::{App, Principal};
use countersign_domain::{IntegrationId, OAuthStateId, Permission, SessionId};
use countersign_microsoft::{
    AppRegistration, AuthCodeCallback, Cloud, Credentials, ErrorKind, MsError, Organization, Pkce,
    Relationship, TokenGrant, group_relationships,
};
use countersign_store::{OAuthPurpose, SealedColumn};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use std::collections::HashMap;

/// What the GDAP dialog submits.
#[derive(Clone, Default)]
pub struct GdapInput {
    /// The CSP tenant's primary domain.
    pub domain: String,
    /// The MSP app's application (client) id.
    pub client_id: String,
    /// Its client secret value.
    pub client_secret: String,
}

impl std::fmt::Debug for GdapInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GdapInput")
            .field("domain", &self.domain)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// Microsoft's refusal of a GDAP request, with the advice for the MSP's own app.
fn user(e: &MsError, redirect: &str) -> MicrosoftError {
    MicrosoftError::User(e.user_message_for(AppRegistration::Gdap, Some(redirect)))
}

/// Whether a relationship is Microsoft-led transition one (`MLT_…`): Countersign does not
/// use them (they carry only the default read roles and end on their own).
fn is_mlt(r: &Relationship) -> bool {
    r.display_name.starts_with("MLT_")
}

/// What became of a customer's relationships, in words, when none usable is left.
fn ended_reason(all: &[Relationship], tenant: &str) -> String {
    let mine: Vec<&Relationship> = all
        .iter()
        .filter(|r| r.customer.tenant_id.eq_ignore_ascii_case(tenant))
        .collect();
    let fix = "Create or renew a GDAP relationship with the User Administrator and Application Administrator roles in Partner Center, then use Refresh GDAP tenants.";
    let ended: Vec<String> = mine
        .iter()
        .filter(|r| !is_mlt(r))
        .map(|r| {
            let what = match r.status.as_str() {
                "expired" => "expired".to_owned(),
                "terminated" => "was terminated".to_owned(),
                "terminating" | "terminationRequested" => "is being terminated".to_owned(),
                other => format!("is {other}, not active"),
            };
            format!("the GDAP relationship “{}” {what}", r.display_name)
        })
        .collect();
    let mlt_active = mine.iter().any(|r| is_mlt(r) && r.status == "active");
    let mut out = if ended.is_empty() {
        String::new()
    } else {
        format!("{}. ", upper_first(&ended.join("; ")))
    };
    if mlt_active {
        out.push_str("Only Microsoft-led transition (MLT_) relationships are left with this customer, which Countersign does not use. ");
    } else if ended.is_empty() {
        out.push_str("No GDAP relationship with this customer is left. ");
    }
    out.push_str(fix);
    out
}

/// Why a GDAP sign-in is refused when the tenant signed in to has no customer relationship
/// at all, and which domain to enter instead.
fn no_customers(domain: &str, tenant: Option<Organization>) -> String {
    let which = match tenant {
        Some(o) if !o.display_name.is_empty() => format!("{domain} ({})", o.display_name),
        _ => domain.to_owned(),
    };
    format!(
        "Microsoft lists no customer relationships (GDAP) for the tenant of {which}: this usually means {domain} is one of your customers' domains, not your own partner tenant's. Enter the primary domain of your CSP partner tenant, the one you sign in to Partner Center with (it ends in .onmicrosoft.com, e.g. yourcompany.onmicrosoft.com; Partner Center ▸ Account settings shows it), and sign in with an account of that tenant. Nothing was saved"
    )
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

impl App {
    /// Resolves the domain, stores the credentials (secret sealed) and returns the
    /// Microsoft sign-in URL.
    ///
    /// # Errors
    /// `Denied` without `ManageIntegrations`; bad input; unknown domain; not found.
    pub async fn start_gdap(
        &self,
        by: &Principal,
        session: SessionId,
        id: IntegrationId,
        input: &GdapInput,
    ) -> Result<String, MicrosoftError> {
        by.require(Permission::ManageIntegrations)?;
        let domain = input.domain.trim().to_ascii_lowercase();
        if domain.is_empty() || !domain.contains('.') || domain.contains(['/', ' ', '?', '#']) {
            return Err(MicrosoftError::User(
                "enter the CSP tenant's primary domain, e.g. northwind.onmicrosoft.com".into(),
            ));
        }
        let client_id = input.client_id.trim();
        if uuid::Uuid::parse_str(client_id).is_err() {
            return Err(MicrosoftError::User(
                "the application ID is a GUID like 00000000-0000-0000-0000-000000000000 (Entra ID ▸ App registrations ▸ Overview ▸ Application (client) ID)".into(),
            ));
        }
        let secret = input.client_secret.trim();
        if secret.is_empty() {
            return Err(MicrosoftError::User(
                "enter the client secret's Value (not its ID)".into(),
            ));
        }
        if uuid::Uuid::parse_str(secret).is_ok() {
            return Err(MicrosoftError::User(
                "this looks like the secret's ID, not its Value: in Entra ID ▸ App registrations ▸ Certificates & secrets, copy the Value column".into(),
            ));
        }
        let i = self.microsoft_integration(by.org_id(), id).await?;
        let cloud = self.cloud_of(&i)?;
        let redirect = gdap_redirect_uri(&self.settings, id);
        let partner = match self.microsoft.tenant_id_for_domain(&cloud, &domain).await {
            Ok(t) => t.to_string(),
            Err(e) if e.kind() == ErrorKind::UnknownTenant => {
                return Err(MicrosoftError::User(format!(
                    "Microsoft knows no tenant with the domain {domain}: check the spelling and the cloud of this integration"
                )));
            }
            Err(e) => return Err(user(&e, &redirect)),
        };
        // Kept aside until the sign-in succeeds: a connected integration keeps working with
        // its stored sign-in if this one fails or is cancelled (issue 17.8).
        let pending = PendingGdap {
            domain: domain.clone(),
            partner_tenant_id: partner.clone(),
            client_id: client_id.to_owned(),
        };
        self.change_microsoft(by.org_id(), id, |settings, secrets| {
            settings.gdap_pending = Some(pending.clone());
            secrets.gdap_pending_client_secret = Some(secret.to_owned());
            // A first sign-in shows as pending; a connected integration stays as it is.
            if settings.gdap_status == GdapStatus::None {
                settings.gdap_status = GdapStatus::Pending;
            }
            Ok(true)
        })
        .await?;
        let pkce = Pkce::new_random();
        let state_id = OAuthStateId::new();
        let state_row = state_id.to_string();
        let sealed_verifier = self.keyring.seal(
            pkce.verifier().as_bytes(),
            &aad(
                by.org_id(),
                SealedColumn::OAuthStatePkceVerifier,
                &state_row,
            ),
        );
        let state = self
            .new_round_trip(
                by,
                session,
                id,
                OAuthPurpose::Gdap,
                Some((&state_id, sealed_verifier)),
                None,
            )
            .await?;
        self.audit(
            &by.actor(),
            None,
            "integration.gdap_credentials_set",
            &id.to_string(),
            json!({ "domain": domain, "client_id": client_id, "partner_tenant_id": partner }),
        )
        .await?;
        Ok(self.microsoft.authorize_url(
            &cloud,
            &partner,
            client_id,
            &redirect,
            &state,
            &pkce.challenge,
        ))
    }

    /// Finishes the GDAP sign-in: checks `state`, redeems the code with the PKCE verifier,
    /// stores the sealed refresh token and lists the GDAP tenants. Returns how many tenants.
    ///
    /// # Errors
    /// `Denied` without `ManageIntegrations`; `User` with the reason (cancel, wrong secret, redirect URI, ...); nothing is stored
    /// then except the credentials entered before.
    pub async fn finish_gdap(
        &self,
        by: &Principal,
        session: SessionId,
        id: IntegrationId,
        query: &HashMap<String, String>,
    ) -> Result<usize, MicrosoftError> {
        by.require(Permission::ManageIntegrations)?;
        let redirect = gdap_redirect_uri(&self.settings, id);
        let cb = match AuthCodeCallback::parse(query) {
            Ok(cb) => cb,
            Err(e) => {
                if let Some(state) = &e.state
                    && let Ok(round) = self
                        .take_round_trip(by, session, state, OAuthPurpose::Gdap)
                        .await
                    && round.integration_id == id
                {
                    self.forget_pending_gdap(by, id).await?;
                }
                let err = MsError::Identity(e.error);
                return Err(MicrosoftError::User(match err.kind() {
                    ErrorKind::Declined => "the Microsoft sign-in was cancelled; nothing was saved. Use Connect to Microsoft 365 (GDAP) to try again".into(),
                    _ => err.user_message_for(AppRegistration::Gdap, Some(&redirect)),
                }));
            }
        };
        let round = self
            .take_round_trip(by, session, &cb.state, OAuthPurpose::Gdap)
            .await?;
        if round.integration_id != id {
            return Err(MicrosoftError::User(
                "this sign-in was started for another integration: start again from its page"
                    .into(),
            ));
        }
        let verifier = self.open_pkce_verifier(by, &round)?;
        let i = self.microsoft_integration(by.org_id(), id).await?;
        let cloud = self.cloud_of(&i)?;
        let (Some(pending), Some(secret)) = (
            i.settings.gdap_pending.clone(),
            self.microsoft_secrets(&i)?
                .gdap_pending_client_secret
                .clone(),
        ) else {
            return Err(MicrosoftError::User(
                "this sign-in is no longer pending (another was started or finished since): use Connect to Microsoft 365 (GDAP) to start again".into(),
            ));
        };
        let creds = Credentials {
            client_id: pending.client_id.clone(),
            client_secret: SecretString::from(secret.clone()),
        };
        let set = match self
            .microsoft
            .token(
                &cloud,
                &pending.partner_tenant_id,
                &creds,
                TokenGrant::AuthorizationCode {
                    code: &cb.code,
                    verifier: &verifier,
                    redirect_uri: &redirect,
                },
            )
            .await
        {
            Ok(set) => set,
            Err(e) => {
                // Nothing of this attempt is kept; the stored connection (if any) is as it was.
                self.forget_pending_gdap(by, id).await?;
                return Err(user(&e, &redirect));
            }
        };
        let Some(rt) = set.refresh_token.as_ref() else {
            self.forget_pending_gdap(by, id).await?;
            return Err(MicrosoftError::User(
                "Microsoft returned no refresh token: the app must allow the offline_access permission; nothing was saved".into(),
            ));
        };
        // The tenant signed in to must be a partner with customers: Graph lists no
        // relationship at all for any other tenant (an empty collection, not an error), which
        // is what a customer's domain entered instead of the partner's gives (issue 21.6).
        // Nothing of this sign-in is kept then; a working connection stays as it was.
        let rels = match self
            .microsoft
            .delegated_admin_relationships(&cloud, &pending.partner_tenant_id, &set.access)
            .await
        {
            Ok(rels) => rels,
            Err(e) => {
                self.forget_pending_gdap(by, id).await?;
                return Err(user(&e, &redirect));
            }
        };
        if rels.is_empty() {
            self.forget_pending_gdap(by, id).await?;
            let tenant = self
                .microsoft
                .organization(&cloud, &pending.partner_tenant_id, &set.access)
                .await
                .ok();
            return Err(MicrosoftError::User(no_customers(&pending.domain, tenant)));
        }
        // The sign-in succeeded: its credentials and refresh token replace the working ones
        // in one write, the pending ones cleared.
        self.change_microsoft(by.org_id(), id, |settings, secrets| {
            settings.gdap_domain = Some(pending.domain.clone());
            settings.gdap_partner_tenant_id = Some(pending.partner_tenant_id.clone());
            settings.gdap_client_id = Some(pending.client_id.clone());
            settings.gdap_status = GdapStatus::Connected;
            settings.gdap_error = None;
            settings.gdap_pending = None;
            secrets.gdap_client_secret = Some(secret.clone());
            secrets.gdap_refresh_token = Some(rt.expose_secret().to_owned());
            secrets.gdap_pending_client_secret = None;
            Ok(true)
        })
        .await?;
        let count = self.link_gdap_tenants(by, id, &rels).await?;
        self.audit(
            &by.actor(),
            None,
            "integration.gdap_signed_in",
            &id.to_string(),
            json!({ "tenants": count }),
        )
        .await?;
        Ok(count)
    }

    /// Forgets the credentials of a sign-in that did not succeed.
    async fn forget_pending_gdap(
        &self,
        by: &Principal,
        id: IntegrationId,
    ) -> Result<(), MicrosoftError> {
        self.change_microsoft(by.org_id(), id, |settings, secrets| {
            settings.gdap_pending = None;
            secrets.gdap_pending_client_secret = None;
            if settings.gdap_status == GdapStatus::Pending && settings.gdap_client_id.is_none() {
                settings.gdap_status = GdapStatus::None;
            }
            Ok(true)
        })
        .await?;
        Ok(())
    }

    /// Of the partner's GDAP relationships (every status, as read), links each customer tenant
    /// with an active relationship that is not a Microsoft-led transition one, its roles and
    /// relationship names recomputed from those alone. A tenant linked before that has none
    /// left is marked ended with the reason in words (its contacts kept, syncing stopped).
    /// Returns how many tenants are reachable.
    async fn link_gdap_tenants(
        &self,
        by: &Principal,
        id: IntegrationId,
        rels: &[Relationship],
    ) -> Result<usize, MicrosoftError> {
        let usable: Vec<Relationship> = rels
            .iter()
            .filter(|r| r.status == "active" && !is_mlt(r))
            .cloned()
            .collect();
        let tenants = group_relationships(&usable);
        // Relationships carry no domain: a tenant keeps the one its own `/organization` gave
        // (Sync Customer, or its admin-consent link), rather than the empty one a refresh of
        // the relationships would write over it.
        let known = self.tenant_links(by.org_id(), id).await?;
        for t in &tenants {
            let default_domain = known
                .iter()
                .filter(|l| l.new.tenant_id.eq_ignore_ascii_case(&t.tenant_id))
                .map(|l| l.new.default_domain.clone())
                .find(|d| !d.is_empty())
                .unwrap_or_default();
            self.upsert_tenant_link(
                &NewTenantLink {
                    org_id: by.org_id(),
                    integration_id: id,
                    tenant_id: t.tenant_id.clone(),
                    link: LinkKind::Gdap,
                    display_name: t.display_name.clone(),
                    default_domain,
                    relationships: t.relationships.join(", "),
                    roles: t.roles.join(","),
                },
                self.now(),
            )
            .await?;
        }
        for l in self.tenant_links(by.org_id(), id).await? {
            let reachable = tenants
                .iter()
                .any(|t| t.tenant_id.eq_ignore_ascii_case(&l.new.tenant_id));
            if l.new.link == LinkKind::Gdap && !reachable {
                let reason = ended_reason(rels, &l.new.tenant_id);
                self.end_tenant_link(&l, &reason).await?;
                if l.ended_at.is_none() {
                    self.audit(
                        &Actor {
                            ip: None,
                            ..by.actor()
                        },
                        None,
                        "integration.tenant_ended",
                        &id.to_string(),
                        json!({ "tenant_id": l.new.tenant_id, "link_id": l.id.to_string() }),
                    )
                    .await?;
                }
            }
        }
        Ok(tenants.len())
    }

    /// Lists GDAP tenants again with the stored sign-in (the partner tenant's token). A token
    /// Graph rejects is dropped and a new one asked for once before any error is shown.
    ///
    /// # Errors
    /// `Denied` without `ManageIntegrations`; no sign-in; Microsoft's refusal in words.
    pub async fn refresh_gdap_tenants(
        &self,
        by: &Principal,
        id: IntegrationId,
    ) -> Result<usize, MicrosoftError> {
        by.require(Permission::ManageIntegrations)?;
        let i = self.microsoft_integration(by.org_id(), id).await?;
        let partner = i
            .settings
            .gdap_partner_tenant_id
            .clone()
            .unwrap_or_default();
        let cloud: Cloud = self.cloud_of(&i)?;
        let redirect = gdap_redirect_uri(&self.settings, id);
        let (microsoft, cloud, partner_ref) = (&self.microsoft, &cloud, partner.as_str());
        let rels = self
            .with_token(&i, LinkKind::Gdap, &partner, |token| async move {
                microsoft
                    .delegated_admin_relationships(cloud, partner_ref, &token)
                    .await
            })
            .await
            .map_err(|f| match f {
                TokenFailure::Microsoft(e) => user(&e, &redirect),
                TokenFailure::Local(e) => e,
            })?;
        self.link_gdap_tenants(by, id, &rels).await
    }
}
