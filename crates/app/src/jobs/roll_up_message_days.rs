//! `roll_up_message_days`: each org's message days that are over go into the dashboard's
//! `message_daily` (`App::roll_up_message_days`), every 10 minutes.

super::sweep::sweep_job!(
    /// Payload of the message roll-up.
    RollUpMessageDays,
    "roll_up_message_days",
    |app| app.roll_up_message_days()
);
