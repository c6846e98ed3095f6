//! Technicians' permissions (issue 18.5): none by default, granted and revoked per
//! technician within their org, read back by every technician lookup and with the session.

use crate::fixtures::{at, org, session, technician};
use countersign_domain::{Permission, Permissions, Role, TechnicianId};
use countersign_store::{SessionStore, Store, StoreError, TechnicianStore};

pub async fn granted_and_revoked_within_the_org(store: &Store) {
    let acme = org(store, "acme").await;
    let other = org(store, "other").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;
    let bob = technician(store, &acme, "bob@acme.test", Role::Technician).await;
    let stranger = technician(store, &other, "sam@other.test", Role::Technician).await;
    let read = |id| async move { store.technician(acme.id, id).await.unwrap().permissions };
    assert_eq!(read(amy.id).await, Permissions::none(), "none by default");

    let edit: Permissions = [Permission::EditContacts].into_iter().collect();
    store.set_permissions(acme.id, amy.id, &edit).await.unwrap();
    assert_eq!(read(amy.id).await, edit);
    assert_eq!(read(bob.id).await, Permissions::none(), "only amy's row");
    // Every lookup carries them: the list, the login lookup and the session's owner.
    let listed = store.technicians(acme.id).await.unwrap();
    assert_eq!(listed[0].permissions, edit);
    let login = store
        .technician_by_email_for_login("amy@acme.test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(login.permissions, edit);
    let s = session(store, &amy, at(1)).await;
    let (_, owner, _) = store
        .session_with_owner(&s.token_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(owner.permissions, edit);

    // Another org's technician, or none at all: NotFound, nothing changes.
    assert!(matches!(
        store.set_permissions(acme.id, stranger.id, &edit).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .technician(other.id, stranger.id)
            .await
            .unwrap()
            .permissions,
        Permissions::none()
    );
    assert!(matches!(
        store
            .set_permissions(acme.id, TechnicianId::new(), &edit)
            .await,
        Err(StoreError::NotFound)
    ));

    store
        .set_permissions(acme.id, amy.id, &Permissions::none())
        .await
        .unwrap();
    assert_eq!(read(amy.id).await, Permissions::none(), "revoked");
}
