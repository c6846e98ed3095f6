# Countersign: what an MSP's end users read, in English.
#
# One message per text. Placeholders, filled in by the app:
#   $msp         the MSP's name (its branding)
#   $technician  the technician's display name
#   $code        a six-digit code
#   $link        a one-time link
#   $minutes     how many minutes a code or link works (a number)
#   $expires     a date and time in the customer's time zone, e.g. "7 Dec 2026, 09:00 CET"
#   $views       how many times a secure message can still be opened (a number)
#   $what, $label  what the help desk asks for, or the sender's note
#   $phone       the masked phone number of record, e.g. "+44 ••• ••• 89"
#   $address     an email address; $left: attempts left (a number)
#   $more        how many more times a secure message can be opened after this view
# An MSP can override each text per language on Settings > End-user texts; an override may
# use the placeholders its default uses.

## Messages sent to the contact

sms-verify-code = { $msp } help desk: { $technician } asked us to verify it is you. Code { $code } (valid { $minutes } min). Only give this code if YOU contacted { $msp }. We will never call you to ask for it.
verify-code-subject = { $msp } verification code
verify-link-subject = { $msp }: confirm it is you
verify-link-body =
    { $msp } help desk: { $technician } asked us to confirm it is you on the call.

    Open this link and pick the number { $technician } tells you:
    { $link }

    It works once, for { $minutes } minutes. Only approve if YOU are talking to { $msp } right now. If you are not, open the link and choose "This wasn't me".
who-i-am-subject = { $technician } works for { $msp }
who-i-am-body = { $msp }: { $technician } works for { $msp } and is contacting you. { $technician } will read you this code: { $code }. If the code does not match, hang up and call { $msp } on a number you already know.
technician-check-subject = { $msp }: check who contacted you
technician-check-body =
    { $msp }: you asked to check a technician who contacted you. Open this link and choose who it was:
    { $link }

    It works for { $minutes } minutes. If you did not ask for this, ignore this message.
secret-send-subject = { $msp }: a secure message from { $technician }
secret-send-body =
    { $msp }: { $technician } sent you a secure message.

    Open it here (it works { $views ->
        [one] once
       *[other] { $views } times
    }, until { $expires }):
    { $link }

    Opening the link shows who sent it; the message appears only when you press Reveal. If you did not expect this, ask { $msp } on a number you already know.
secret-request-subject = { $msp }: { $technician } asks you to send data securely
secret-request-body =
    { $msp }: { $technician } asks you to send "{ $what }" securely.

    Enter it here (until { $expires }); it is encrypted on your device before it is sent:
    { $link }

    If you did not expect this, ask { $msp } on a number you already know.
secret-code-subject = { $msp } secure message code
sms-secret-code = { $msp }: your code to open the secure message from { $technician } is { $code } (valid { $minutes } min). Type it only on the page of that message; never tell it to anyone.

## The approve page (number matching)

approve-title = Confirm it is you · { $msp }
approve-heading = { $msp }: is this you?
approve-intro = { $technician } at { $msp } asked to confirm that you are the person they are talking to right now.
approve-expiry = This link works once, until { $expires }.
approve-pick = Which number does { $technician } tell you?
approve-button = Approve
approve-not-me = Not talking to { $msp } right now?
approve-deny-button = This wasn't me
approve-pick-error = Pick the number the help desk tells you, then press Approve.
approve-verified-title = Thank you: you are verified
approve-verified-text = You can go back to your call. You may close this page.
approve-denied-title = Thank you for telling us
approve-denied-text = Nothing was approved. The help desk has been alerted that someone may be using your name. If you are worried, call your IT provider on a number you already know.
approve-failed-title = The number did not match
approve-failed-text = Nothing was approved. If you are on a call with the help desk, ask them to send a new link and pick the number they tell you.
approve-expired-title = This link has expired
approve-expired-text = Nothing was approved. Ask the help desk for a new one if you need it.
approve-used-title = This link was already used
approve-used-text = It works once, and it was answered already. Nothing more is needed from you.

## Checking a technician

check-title = Check a technician · { $msp }
check-request-heading = Check that a technician works for { $msp }
check-request-sent = If this address belongs to a contact of { $msp }, we sent a link to their mobile phone or email of record. Open it to choose who contacted you.
check-request-intro = Someone says they are from { $msp }? Enter your email address. We send a link to the phone or email we have on record for you, never to one the caller gives you.
check-email-label = Your email address
check-email-error = Enter your email address, e.g. amy@example.com.
check-send-button = Send me a link
check-heading = Who contacted you from { $msp }?
check-technician-label = Technician
check-choose = Choose…
check-choose-button = Ask them to confirm
check-choose-error = Choose one of the listed technicians.
check-throttled = Too many requests from your network. Try again in an hour.
check-not-listed = Not in the list? They may not work for { $msp }: end the conversation and call { $msp } on a number you already know.
check-waiting = We asked { $technician } to confirm. Keep this page open; it updates by itself.
check-confirmed = { $technician } works for { $msp } and confirmed it is them.
check-code = They will read you this code:
check-code-mismatch = If it does not match, end the conversation.
check-expired = This link has expired. Start again on the verification page if you still need to check someone.

## Secure Send: a secure message for the contact

secret-send-title = A secure message · { $msp }
secret-send-heading = { $msp }: a secure message for you
secret-send-intro = { $technician } at { $msp } sent you a secure message.
secret-send-note = Note from the sender: { $label }
secret-send-views = It can be revealed { $views ->
        [one] once more
       *[other] { $views } more times
    }, until { $expires }. Revealing it here uses one view; nothing is used up until you press Reveal.
secret-code-label = The 6-digit code sent to your phone { $phone }
secret-code-check = Confirm
secret-code-intro = Before it can be revealed, confirm it is you: we send a code to your phone { $phone }.
secret-code-send = Send me a code
secret-code-sent = We sent a code to { $phone }.
secret-code-wrong = Wrong code. { $left ->
        [one] 1 attempt left.
       *[other] { $left } attempts left.
    }
secret-code-dead = This code no longer works. Ask for a new one.
secret-code-verified = Thank you: it is you. You can reveal the message now.
secret-passphrase-label = Passphrase (the sender tells you separately)
secret-reveal-button = Reveal
secret-reveal-noscript = Revealing needs JavaScript: the message is decrypted on your device, and its key never leaves it.
secret-message-label = The message
secret-copy-button = Copy
secret-copied = Copied
secret-link-incomplete = This link is incomplete: the part after the # is missing or damaged. Open the full link from the message; nothing was used up.
secret-wrong-passphrase = Wrong passphrase. Try again; this does not use another view.
secret-undecryptable = The message could not be decrypted: the link is incomplete or damaged.
secret-after-more = It can be revealed { $more ->
        [one] once more
       *[other] { $more } more times
    } until it expires.
secret-after-again = It can be revealed again until it expires.
secret-last-view = That was its last view: it is now deleted from the server.

## Secure Request: data asked of the contact

secret-request-title = Send data securely · { $msp }
secret-request-heading = { $msp }: send data securely
secret-request-asks = { $technician } at { $msp } asks you for:
secret-request-privacy = What you enter is encrypted on this device before it is sent; only { $msp } can open it, once. This form works until { $expires }.
secret-request-answer-label = Your answer
secret-request-button = Encrypt and send
secret-request-noscript = This form needs JavaScript: your answer is encrypted on your device.
secret-request-done = Sent. Only { $msp } can open it, once. You may close this page.
secret-request-empty = Enter what was asked for.
secret-request-answered-title = Already sent
secret-request-answered-text = This request was answered. Nothing more is needed from you.

## A secure link that no longer works

secret-unknown-title = This link does not work
secret-unknown-text = It may be mistyped or incomplete. Ask the sender for a new one.
secret-expired-title = This link has expired
secret-expired-text = Its contents were deleted when it expired. Ask the sender for a new link if you still need it.
secret-burned-title = This link was cancelled
secret-burned-text = The sender cancelled it and its contents were deleted. Ask them for a new link if you still need it.
secret-used-title = This link was already used
secret-used-text = It could be opened a limited number of times, and it was. Its contents were deleted. If you did not open it, tell the sender at once.
secret-expired-at = Expired at { $expires }.
secret-opened-at = Last opened at { $expires }.
secret-cancelled-at = Cancelled at { $expires }.
secret-sent-at = Sent at { $expires }.

## Unsubscribing from broadcasts

unsubscribe-title = Unsubscribe · { $msp }
unsubscribe-heading = Unsubscribe from { $msp }'s announcements?
unsubscribe-intro = { $msp } sends announcements by email to { $address }, such as outage notices. Press the button and this address gets no more of them.
unsubscribe-still = Messages you ask for, such as verification codes, still reach you.
unsubscribe-button = Unsubscribe
unsubscribe-done-title = You are unsubscribed
unsubscribe-done-text = You will get no more broadcast emails from us at this address. Messages you ask for, such as verification codes, still reach you.
unsubscribe-already-title = You were already unsubscribed
unsubscribe-already-text = This address gets no broadcast emails from us. Nothing more is needed.
unsubscribe-invalid-title = This unsubscribe link is not valid
unsubscribe-invalid-text = Nothing was changed: you are not unsubscribed. The link may have been cut short or altered.
unsubscribe-invalid-help = Open the unsubscribe link of the email again, or use the unsubscribe button of your mail app.
