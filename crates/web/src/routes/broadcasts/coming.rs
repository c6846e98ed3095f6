//! TEMPORARY stand-ins for the app's broadcast reads that are [coming] in
//! /work/notes/broadcast-api.md, so the pages compile and can be tested before they land.
//! Delete this file as soon as `App::broadcast`, `App::broadcasts` and the three-argument
//! `approve_broadcast` are on main (web must not read the store).

use countersign_app::broadcasts::BroadcastError;
use countersign_app::{App, Principal};
use countersign_domain::{BroadcastId, Permission};
use countersign_store::{AudienceCounts, Broadcast, BroadcastStore};

pub(super) trait Coming {
    async fn broadcast(&self, by: &Principal, id: BroadcastId)
    -> Result<Broadcast, BroadcastError>;
    async fn broadcasts(&self, by: &Principal) -> Result<Vec<Broadcast>, BroadcastError>;
    async fn approve_confirmed(
        &self,
        by: &Principal,
        id: BroadcastId,
        confirmed: i64,
    ) -> Result<AudienceCounts, BroadcastError>;
}

impl Coming for App {
    async fn broadcast(
        &self,
        by: &Principal,
        id: BroadcastId,
    ) -> Result<Broadcast, BroadcastError> {
        by.require(Permission::DraftBroadcasts)?;
        Ok(self.store().broadcast(by.org_id(), id).await?)
    }

    async fn broadcasts(&self, by: &Principal) -> Result<Vec<Broadcast>, BroadcastError> {
        by.require(Permission::DraftBroadcasts)?;
        Ok(self.store().broadcasts(by.org_id(), 200).await?)
    }

    async fn approve_confirmed(
        &self,
        by: &Principal,
        id: BroadcastId,
        confirmed: i64,
    ) -> Result<AudienceCounts, BroadcastError> {
        let b = Coming::broadcast(self, by, id).await?;
        let now = self
            .preview_broadcast_audience(by, &b.audience, b.channels)
            .await?;
        if now.recipients != confirmed {
            return Err(BroadcastError::Invalid {
                field: "confirmed_recipients",
                message: format!(
                    "you confirmed {confirmed} recipients but it now reaches {}: check the count again",
                    now.recipients
                ),
            });
        }
        self.approve_broadcast(by, id).await
    }
}
