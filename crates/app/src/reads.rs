//! The error of the use cases that only read (a page's view): the principal may not see it,
//! or the store failed. Areas whose own error type has nothing else to say use this one.

use crate::Denied;
use countersign_store::StoreError;

/// Why a view could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::UseCaseError for ReadError {
    fn kind(&self) -> crate::ErrorKind {
        match self {
            Self::Denied(e) => crate::UseCaseError::kind(e),
            Self::Store(e) => crate::UseCaseError::kind(e),
        }
    }
}
