# Countersign: was die Endbenutzer eines MSP lesen, auf Deutsch.
# Platzhalter und Aufbau wie in ../en/end-user.ftl (dort beschrieben).

## Nachrichten an den Kontakt

sms-verify-code = { $msp } Helpdesk: { $technician } hat uns gebeten zu bestätigen, dass Sie es sind. Code { $code } (gültig { $minutes } Min.). Geben Sie diesen Code nur weiter, wenn SIE { $msp } kontaktiert haben. Wir rufen Sie nie an, um danach zu fragen.
verify-code-subject = { $msp } Bestätigungscode
verify-link-subject = { $msp }: Bestätigen Sie, dass Sie es sind
verify-link-body =
    { $msp } Helpdesk: { $technician } hat uns gebeten zu bestätigen, dass Sie am Telefon sind.

    Öffnen Sie diesen Link und wählen Sie die Zahl, die { $technician } Ihnen nennt:
    { $link }

    Der Link funktioniert einmal, { $minutes } Minuten lang. Bestätigen Sie nur, wenn SIE gerade mit { $msp } sprechen. Wenn nicht, öffnen Sie den Link und wählen Sie „Das war ich nicht“.
who-i-am-subject = { $technician } arbeitet für { $msp }
who-i-am-body = { $msp }: { $technician } arbeitet für { $msp } und kontaktiert Sie. { $technician } liest Ihnen diesen Code vor: { $code }. Stimmt der Code nicht überein, legen Sie auf und rufen Sie { $msp } unter einer Nummer an, die Sie bereits kennen.
technician-check-subject = { $msp }: Prüfen Sie, wer Sie kontaktiert hat
technician-check-body =
    { $msp }: Sie möchten einen Techniker prüfen, der Sie kontaktiert hat. Öffnen Sie diesen Link und wählen Sie aus, wer es war:
    { $link }

    Der Link funktioniert { $minutes } Minuten lang. Wenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht.
secret-send-subject = { $msp }: eine sichere Nachricht von { $technician }
secret-send-body =
    { $msp }: { $technician } hat Ihnen eine sichere Nachricht gesendet.

    Öffnen Sie sie hier ({ $views ->
        [one] einmal
       *[other] { $views }-mal
    } möglich, bis { $expires }):
    { $link }

    Der Link zeigt zuerst, wer die Nachricht gesendet hat; sie selbst erscheint erst, wenn Sie auf „Anzeigen“ klicken. Wenn Sie das nicht erwartet haben, fragen Sie bei { $msp } unter einer Nummer nach, die Sie bereits kennen.
secret-request-subject = { $msp }: { $technician } bittet Sie, Daten sicher zu senden
secret-request-body =
    { $msp }: { $technician } bittet Sie, „{ $what }“ sicher zu senden.

    Geben Sie es hier ein (bis { $expires }); es wird auf Ihrem Gerät verschlüsselt, bevor es gesendet wird:
    { $link }

    Wenn Sie das nicht erwartet haben, fragen Sie bei { $msp } unter einer Nummer nach, die Sie bereits kennen.
secret-code-subject = { $msp } Code für Ihre sichere Nachricht
sms-secret-code = { $msp }: Ihr Code zum Öffnen der sicheren Nachricht von { $technician } lautet { $code } (gültig { $minutes } Min.). Geben Sie ihn nur auf der Seite dieser Nachricht ein und teilen Sie ihn niemandem mit.

## Die Bestätigungsseite (Zahlenabgleich)

approve-title = Bestätigen Sie, dass Sie es sind · { $msp }
approve-heading = { $msp }: Sind Sie das?
approve-intro = { $technician } von { $msp } möchte bestätigen, dass Sie die Person sind, mit der gerade gesprochen wird.
approve-expiry = Dieser Link funktioniert einmal, bis { $expires }.
approve-pick = Welche Zahl nennt Ihnen { $technician }?
approve-button = Bestätigen
approve-not-me = Sie sprechen gerade nicht mit { $msp }?
approve-deny-button = Das war ich nicht
approve-pick-error = Wählen Sie die Zahl, die Ihnen der Helpdesk nennt, und klicken Sie dann auf „Bestätigen“.
approve-verified-title = Vielen Dank: Sie sind bestätigt
approve-verified-text = Sie können zu Ihrem Gespräch zurückkehren und diese Seite schließen.
approve-denied-title = Danke für Ihre Rückmeldung
approve-denied-text = Es wurde nichts bestätigt. Der Helpdesk wurde gewarnt, dass jemand Ihren Namen missbrauchen könnte. Wenn Sie beunruhigt sind, rufen Sie Ihren IT-Dienstleister unter einer Nummer an, die Sie bereits kennen.
approve-failed-title = Die Zahl stimmte nicht überein
approve-failed-text = Es wurde nichts bestätigt. Wenn Sie mit dem Helpdesk telefonieren, bitten Sie um einen neuen Link und wählen Sie die Zahl, die man Ihnen nennt.
approve-expired-title = Dieser Link ist abgelaufen
approve-expired-text = Es wurde nichts bestätigt. Bitten Sie den Helpdesk bei Bedarf um einen neuen Link.
approve-used-title = Dieser Link wurde bereits verwendet
approve-used-text = Er funktioniert nur einmal und wurde bereits beantwortet. Sie müssen nichts weiter tun.

## Einen Techniker prüfen

check-title = Einen Techniker prüfen · { $msp }
check-request-heading = Prüfen Sie, ob ein Techniker für { $msp } arbeitet
check-request-sent = Wenn diese Adresse zu einem Kontakt von { $msp } gehört, haben wir einen Link an die hinterlegte Mobilnummer oder E-Mail-Adresse gesendet. Öffnen Sie ihn, um auszuwählen, wer Sie kontaktiert hat.
check-request-intro = Jemand gibt an, von { $msp } zu sein? Geben Sie Ihre E-Mail-Adresse ein. Wir senden einen Link an die Telefonnummer oder E-Mail-Adresse, die bei uns für Sie hinterlegt ist, nie an eine, die der Anrufer Ihnen nennt.
check-email-label = Ihre E-Mail-Adresse
check-email-error = Geben Sie Ihre E-Mail-Adresse ein, z. B. amy@example.com.
check-send-button = Link senden
check-heading = Wer von { $msp } hat Sie kontaktiert?
check-technician-label = Techniker
check-choose = Bitte wählen…
check-choose-button = Um Bestätigung bitten
check-choose-error = Wählen Sie einen der aufgeführten Techniker.
check-throttled = Zu viele Anfragen aus Ihrem Netzwerk. Versuchen Sie es in einer Stunde erneut.
check-not-listed = Nicht in der Liste? Dann arbeitet die Person möglicherweise nicht für { $msp }: Beenden Sie das Gespräch und rufen Sie { $msp } unter einer Nummer an, die Sie bereits kennen.
check-waiting = Wir haben { $technician } um Bestätigung gebeten. Lassen Sie diese Seite geöffnet; sie aktualisiert sich selbst.
check-confirmed = { $technician } arbeitet für { $msp } und hat bestätigt, dass er oder sie es ist.
check-code = Man wird Ihnen diesen Code vorlesen:
check-code-mismatch = Stimmt er nicht überein, beenden Sie das Gespräch.
check-expired = Dieser Link ist abgelaufen. Beginnen Sie auf der Prüfseite neu, wenn Sie noch jemanden prüfen möchten.

## Secure Send: eine sichere Nachricht für den Kontakt

secret-send-title = Eine sichere Nachricht · { $msp }
secret-send-heading = { $msp }: eine sichere Nachricht für Sie
secret-send-intro = { $technician } von { $msp } hat Ihnen eine sichere Nachricht gesendet.
secret-send-note = Hinweis des Absenders: { $label }
secret-send-views = Sie kann noch { $views ->
        [one] einmal
       *[other] { $views }-mal
    } angezeigt werden, bis { $expires }. Jedes Anzeigen hier verbraucht einen Abruf; verbraucht wird erst, wenn Sie auf „Anzeigen“ klicken.
secret-code-label = Der 6-stellige Code, der an Ihr Telefon { $phone } gesendet wurde
secret-code-check = Bestätigen
secret-code-intro = Bevor die Nachricht angezeigt werden kann, bestätigen Sie bitte, dass Sie es sind: Wir senden einen Code an Ihr Telefon { $phone }.
secret-code-send = Code senden
secret-code-sent = Wir haben einen Code an { $phone } gesendet.
secret-code-wrong = Falscher Code. { $left ->
        [one] Noch 1 Versuch.
       *[other] Noch { $left } Versuche.
    }
secret-code-dead = Dieser Code funktioniert nicht mehr. Fordern Sie einen neuen an.
secret-code-verified = Vielen Dank: Sie sind es. Sie können die Nachricht jetzt anzeigen.
secret-passphrase-label = Passphrase (der Absender teilt sie Ihnen separat mit)
secret-reveal-button = Anzeigen
secret-reveal-noscript = Zum Anzeigen wird JavaScript benötigt: Die Nachricht wird auf Ihrem Gerät entschlüsselt, und ihr Schlüssel verlässt es nie.
secret-message-label = Die Nachricht
secret-copy-button = Kopieren
secret-copied = Kopiert
secret-link-incomplete = Dieser Link ist unvollständig: Der Teil nach dem # fehlt oder ist beschädigt. Öffnen Sie den vollständigen Link aus der Nachricht; es wurde nichts verbraucht.
secret-wrong-passphrase = Falsche Passphrase. Versuchen Sie es erneut; dabei wird kein weiterer Abruf verbraucht.
secret-undecryptable = Die Nachricht konnte nicht entschlüsselt werden: Der Link ist unvollständig oder beschädigt.
secret-after-more = Sie kann bis zum Ablauf noch { $more ->
        [one] einmal
       *[other] { $more }-mal
    } angezeigt werden.
secret-after-again = Sie kann bis zum Ablauf erneut angezeigt werden.
secret-last-view = Das war der letzte Abruf: Die Nachricht ist jetzt vom Server gelöscht.

## Secure Request: vom Kontakt erbetene Daten

secret-request-title = Daten sicher senden · { $msp }
secret-request-heading = { $msp }: Daten sicher senden
secret-request-asks = { $technician } von { $msp } bittet Sie um:
secret-request-privacy = Ihre Eingabe wird auf diesem Gerät verschlüsselt, bevor sie gesendet wird; nur { $msp } kann sie öffnen, und zwar einmal. Dieses Formular funktioniert bis { $expires }.
secret-request-answer-label = Ihre Antwort
secret-request-button = Verschlüsseln und senden
secret-request-noscript = Dieses Formular benötigt JavaScript: Ihre Antwort wird auf Ihrem Gerät verschlüsselt.
secret-request-done = Gesendet. Nur { $msp } kann es öffnen, und zwar einmal. Sie können diese Seite schließen.
secret-request-empty = Bitte geben Sie ein, worum gebeten wurde.
secret-request-answered-title = Bereits gesendet
secret-request-answered-text = Diese Anfrage wurde beantwortet. Sie müssen nichts weiter tun.

## Ein sicherer Link, der nicht mehr funktioniert

secret-unknown-title = Dieser Link funktioniert nicht
secret-unknown-text = Er ist möglicherweise falsch geschrieben oder unvollständig. Bitten Sie den Absender um einen neuen.
secret-expired-title = Dieser Link ist abgelaufen
secret-expired-text = Sein Inhalt wurde beim Ablauf gelöscht. Bitten Sie den Absender um einen neuen Link, falls Sie ihn noch brauchen.
secret-burned-title = Dieser Link wurde widerrufen
secret-burned-text = Der Absender hat ihn widerrufen, und sein Inhalt wurde gelöscht. Bitten Sie um einen neuen Link, falls Sie ihn noch brauchen.
secret-used-title = Dieser Link wurde bereits verwendet
secret-used-text = Er konnte nur begrenzt oft geöffnet werden, und das ist geschehen. Sein Inhalt wurde gelöscht. Wenn Sie ihn nicht geöffnet haben, informieren Sie sofort den Absender.
secret-expired-at = Abgelaufen am { $expires }.
secret-opened-at = Zuletzt geöffnet am { $expires }.
secret-cancelled-at = Widerrufen am { $expires }.
secret-sent-at = Gesendet am { $expires }.

## Abmelden von Rundschreiben

unsubscribe-title = Abmelden · { $msp }
unsubscribe-heading = Ankündigungen von { $msp } abbestellen?
unsubscribe-intro = { $msp } sendet Ankündigungen per E-Mail an { $address }, zum Beispiel Störungsmeldungen. Klicken Sie auf die Schaltfläche, und diese Adresse erhält keine mehr.
unsubscribe-still = Nachrichten, die Sie selbst anfordern, etwa Bestätigungscodes, erhalten Sie weiterhin.
unsubscribe-button = Abbestellen
unsubscribe-done-title = Sie sind abgemeldet
unsubscribe-done-text = Sie erhalten an diese Adresse keine Rundschreiben mehr von uns. Nachrichten, die Sie selbst anfordern, etwa Bestätigungscodes, erhalten Sie weiterhin.
unsubscribe-already-title = Sie waren bereits abgemeldet
unsubscribe-already-text = Diese Adresse erhält keine Rundschreiben von uns. Sie müssen nichts weiter tun.
unsubscribe-invalid-title = Dieser Abmeldelink ist ungültig
unsubscribe-invalid-text = Es wurde nichts geändert: Sie sind nicht abgemeldet. Der Link wurde möglicherweise gekürzt oder verändert.
unsubscribe-invalid-help = Öffnen Sie den Abmeldelink in der E-Mail erneut, oder verwenden Sie die Abmeldefunktion Ihres E-Mail-Programms.
