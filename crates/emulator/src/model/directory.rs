//! One tenant's users plus the change bookkeeping behind `/users/delta`.
//!
//! Users live in a `BTreeMap` keyed by id, so `/users` pages are a range scan after the last id
//! of the previous page: O(log n) per page, stable when users are added or removed mid-paging.
//! Each change bumps a per-tenant sequence number; users that ever changed carry the sequence of
//! their last lifecycle change and of each field, so a delta round can tell whether a change
//! touched a `$select`ed property (changes to unselected properties must not surface [S15c]).

use super::user::{ALL_FIELDS, Field, FieldSet, User};
use std::collections::BTreeMap;
use std::ops::Bound;
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifecycle {
    Active,
    /// In deletedItems: restorable; delta reports `@removed: {reason: "changed"}`.
    SoftDeleted,
    /// Gone for good; kept as a tombstone so delta can report `@removed: {reason: "deleted"}`.
    HardDeleted,
}

#[derive(Debug)]
struct ChangeInfo {
    last_seq: u64,
    lifecycle_seq: u64,
    field_seq: [u64; ALL_FIELDS.len()],
}

#[derive(Debug)]
pub struct Entry {
    pub user: User,
    pub state: Lifecycle,
    change: Option<Box<ChangeInfo>>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DirectoryError {
    #[error("user not found")]
    NotFound,
    #[error("a user with this id or userPrincipalName already exists")]
    AlreadyExists,
    #[error("the user is {0:?}")]
    WrongState(Lifecycle),
}

/// What one delta round says about one user.
pub enum DeltaItem<'a> {
    Present(&'a User),
    Removed { id: Uuid, reason: &'static str },
}

#[derive(Debug, Default)]
pub struct Directory {
    users: BTreeMap<Uuid, Entry>,
    /// last change sequence → user; each changed user appears once, under its latest change.
    changes: BTreeMap<u64, Uuid>,
    seq: u64,
    active: usize,
}

impl Directory {
    #[must_use]
    pub fn new(users: Vec<User>) -> Self {
        let mut dir = Directory::default();
        for user in users {
            dir.active += 1;
            dir.users.insert(
                user.id,
                Entry {
                    user,
                    state: Lifecycle::Active,
                    change: None,
                },
            );
        }
        dir
    }

    #[must_use]
    pub fn seq(&self) -> u64 {
        self.seq
    }

    #[must_use]
    pub fn active_count(&self) -> usize {
        self.active
    }

    /// Active users in id order, starting after `after`.
    pub fn active_after(&self, after: Option<Uuid>) -> impl Iterator<Item = &User> {
        let lower = after.map_or(Bound::Unbounded, Bound::Excluded);
        self.users
            .range((lower, Bound::Unbounded))
            .filter(|(_, e)| e.state == Lifecycle::Active)
            .map(|(_, e)| &e.user)
    }

    #[must_use]
    pub fn entry(&self, id: Uuid) -> Option<&Entry> {
        self.users.get(&id)
    }

    #[must_use]
    pub fn active(&self, id: Uuid) -> Option<&User> {
        self.users
            .get(&id)
            .filter(|e| e.state == Lifecycle::Active)
            .map(|e| &e.user)
    }

    /// Looks a user up by id or userPrincipalName (Graph accepts both in `/users/{key}`).
    /// UPN lookups scan: they are rare, and an index would cost ~80 MB at a million users.
    #[must_use]
    pub fn resolve(&self, key: &str) -> Option<Uuid> {
        if let Ok(id) = Uuid::parse_str(key) {
            return self.users.contains_key(&id).then_some(id);
        }
        self.users
            .values()
            .find(|e| {
                e.state != Lifecycle::HardDeleted
                    && e.user.user_principal_name.eq_ignore_ascii_case(key)
            })
            .map(|e| e.user.id)
    }

    fn bump(&mut self, id: Uuid, fields: FieldSet, lifecycle: bool) {
        self.seq += 1;
        let seq = self.seq;
        let Some(entry) = self.users.get_mut(&id) else {
            return;
        };
        let info = entry.change.get_or_insert_with(|| {
            Box::new(ChangeInfo {
                last_seq: 0,
                lifecycle_seq: 0,
                field_seq: [0; ALL_FIELDS.len()],
            })
        });
        if info.last_seq != 0 {
            self.changes.remove(&info.last_seq);
        }
        info.last_seq = seq;
        if lifecycle {
            info.lifecycle_seq = seq;
        }
        for f in ALL_FIELDS {
            if fields.contains(f) {
                info.field_seq[f as usize] = seq;
            }
        }
        self.changes.insert(seq, id);
    }

    /// Applies `edit` to an active user; `edit` returns which fields it changed.
    pub fn update(
        &mut self,
        id: Uuid,
        edit: impl FnOnce(&mut User) -> FieldSet,
    ) -> Result<(), DirectoryError> {
        let entry = self.users.get_mut(&id).ok_or(DirectoryError::NotFound)?;
        if entry.state != Lifecycle::Active {
            return Err(DirectoryError::WrongState(entry.state));
        }
        let changed = edit(&mut entry.user);
        if changed != FieldSet::default() {
            self.bump(id, changed, false);
        }
        Ok(())
    }

    pub fn add(&mut self, user: User) -> Result<(), DirectoryError> {
        let upn_taken = self.resolve(&user.user_principal_name).is_some();
        if self.users.contains_key(&user.id) || upn_taken {
            return Err(DirectoryError::AlreadyExists);
        }
        let id = user.id;
        self.users.insert(
            id,
            Entry {
                user,
                state: Lifecycle::Active,
                change: None,
            },
        );
        self.active += 1;
        self.bump(id, FieldSet::ALL, true);
        Ok(())
    }

    fn transition(
        &mut self,
        id: Uuid,
        from: &[Lifecycle],
        to: Lifecycle,
    ) -> Result<(), DirectoryError> {
        let entry = self.users.get_mut(&id).ok_or(DirectoryError::NotFound)?;
        if !from.contains(&entry.state) {
            return Err(DirectoryError::WrongState(entry.state));
        }
        if entry.state == Lifecycle::Active {
            self.active -= 1;
        }
        if to == Lifecycle::Active {
            self.active += 1;
        }
        entry.state = to;
        self.bump(id, FieldSet::default(), true);
        Ok(())
    }

    pub fn soft_delete(&mut self, id: Uuid) -> Result<(), DirectoryError> {
        self.transition(id, &[Lifecycle::Active], Lifecycle::SoftDeleted)
    }

    pub fn hard_delete(&mut self, id: Uuid) -> Result<(), DirectoryError> {
        self.transition(
            id,
            &[Lifecycle::Active, Lifecycle::SoftDeleted],
            Lifecycle::HardDeleted,
        )
    }

    pub fn restore(&mut self, id: Uuid) -> Result<(), DirectoryError> {
        self.transition(id, &[Lifecycle::SoftDeleted], Lifecycle::Active)
    }

    /// Users whose latest change lies in `(after, upto]`, in change order, with what the
    /// round must say about each; users whose changes touched none of `fields` are skipped.
    pub fn changes_between(
        &self,
        since: u64,
        after: u64,
        upto: u64,
        fields: FieldSet,
    ) -> impl Iterator<Item = (u64, DeltaItem<'_>)> {
        self.changes
            .range((Bound::Excluded(after), Bound::Included(upto)))
            .filter_map(move |(seq, id)| {
                let entry = self.users.get(id)?;
                let info = entry.change.as_ref()?;
                let relevant = info.lifecycle_seq > since
                    || ALL_FIELDS
                        .iter()
                        .any(|f| fields.contains(*f) && info.field_seq[*f as usize] > since);
                if !relevant {
                    return None;
                }
                let item = match entry.state {
                    Lifecycle::Active => DeltaItem::Present(&entry.user),
                    Lifecycle::SoftDeleted => DeltaItem::Removed {
                        id: *id,
                        reason: "changed",
                    },
                    Lifecycle::HardDeleted => DeltaItem::Removed {
                        id: *id,
                        reason: "deleted",
                    },
                };
                Some((*seq, item))
            })
    }
}

/// Which fields differ between two versions of a user (used by edits).
#[must_use]
pub fn diff(old: &User, new: &User) -> FieldSet {
    let mut set = FieldSet::default();
    let mut mark = |f: Field, changed: bool| {
        if changed {
            set = set.with(f);
        }
    };
    mark(Field::DisplayName, old.display_name != new.display_name);
    mark(Field::GivenName, old.given_name != new.given_name);
    mark(Field::Surname, old.surname != new.surname);
    mark(Field::Mail, old.mail != new.mail);
    mark(
        Field::UserPrincipalName,
        old.user_principal_name != new.user_principal_name,
    );
    mark(Field::MobilePhone, old.mobile_phone != new.mobile_phone);
    mark(
        Field::UsageLocation,
        old.usage_location != new.usage_location,
    );
    mark(Field::Country, old.country != new.country);
    mark(
        Field::BusinessPhones,
        old.business_phones != new.business_phones,
    );
    mark(Field::JobTitle, old.job_title != new.job_title);
    mark(
        Field::OfficeLocation,
        old.office_location != new.office_location,
    );
    mark(
        Field::PreferredLanguage,
        old.preferred_language != new.preferred_language,
    );
    mark(
        Field::AccountEnabled,
        old.account_enabled != new.account_enabled,
    );
    mark(Field::UserType, old.user_type != new.user_type);
    mark(Field::AssignedLicenses, old.licenses != new.licenses);
    mark(
        Field::OnPremisesSyncEnabled,
        old.on_premises_sync_enabled != new.on_premises_sync_enabled,
    );
    set
}
