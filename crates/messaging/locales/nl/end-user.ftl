# Countersign: wat de eindgebruikers van een MSP lezen, in het Nederlands.
# Plaatshouders en opbouw zoals in ../en/end-user.ftl (daar beschreven).

## Berichten aan de contactpersoon

sms-verify-code = Helpdesk { $msp }: { $technician } heeft ons gevraagd te controleren of u het bent. Code { $code } (geldig { $minutes } min). Geef deze code alleen als U zelf contact met { $msp } hebt opgenomen. Wij bellen u nooit om ernaar te vragen.
verify-code-subject = Verificatiecode van { $msp }
verify-link-subject = { $msp }: bevestig dat u het bent
verify-link-body =
    Helpdesk { $msp }: { $technician } heeft ons gevraagd te bevestigen dat u degene aan de lijn bent.

    Open deze link en kies het getal dat { $technician } u noemt:
    { $link }

    De link werkt één keer, { $minutes } minuten lang. Keur alleen goed als U nu met { $msp } spreekt. Zo niet, open dan de link en kies 'Dit was ik niet'.
who-i-am-subject = { $technician } werkt voor { $msp }
who-i-am-body = { $msp }: { $technician } werkt voor { $msp } en neemt contact met u op. { $technician } leest u deze code voor: { $code }. Klopt de code niet, hang dan op en bel { $msp } op een nummer dat u al kent.
technician-check-subject = { $msp }: controleer wie contact met u opnam
technician-check-body =
    { $msp }: u vroeg om een technicus te controleren die contact met u opnam. Open deze link en kies wie het was:
    { $link }

    De link werkt { $minutes } minuten. Hebt u hier niet om gevraagd, negeer dit bericht dan.
secret-send-subject = { $msp }: een beveiligd bericht van { $technician }
secret-send-body =
    { $msp }: { $technician } heeft u een beveiligd bericht gestuurd.

    Open het hier ({ $views ->
        [one] één keer
       *[other] { $views } keer
    } mogelijk, tot { $expires }):
    { $link }

    De link toont eerst wie het stuurde; het bericht verschijnt pas als u op Tonen drukt. Verwachtte u dit niet, vraag het dan na bij { $msp } op een nummer dat u al kent.
secret-request-subject = { $msp }: { $technician } vraagt u gegevens veilig te versturen
secret-request-body =
    { $msp }: { $technician } vraagt u "{ $what }" veilig te versturen.

    Vul het hier in (tot { $expires }); het wordt op uw apparaat versleuteld voordat het wordt verstuurd:
    { $link }

    Verwachtte u dit niet, vraag het dan na bij { $msp } op een nummer dat u al kent.
secret-code-subject = Code voor uw beveiligde bericht van { $msp }
sms-secret-code = { $msp }: uw code om het beveiligde bericht van { $technician } te openen is { $code } (geldig { $minutes } min). Typ hem alleen op de pagina van dat bericht; vertel hem aan niemand.

## De goedkeuringspagina (getallen vergelijken)

approve-title = Bevestig dat u het bent · { $msp }
approve-heading = { $msp }: bent u dit?
approve-intro = { $technician } van { $msp } wil bevestigen dat u de persoon bent met wie hij of zij nu spreekt.
approve-expiry = Deze link werkt één keer, tot { $expires }.
approve-pick = Welk getal noemt { $technician } u?
approve-button = Goedkeuren
approve-not-me = Spreekt u nu niet met { $msp }?
approve-deny-button = Dit was ik niet
approve-pick-error = Kies het getal dat de helpdesk u noemt en druk dan op Goedkeuren.
approve-verified-title = Bedankt: u bent geverifieerd
approve-verified-text = U kunt terug naar uw gesprek en deze pagina sluiten.
approve-denied-title = Bedankt voor uw melding
approve-denied-text = Er is niets goedgekeurd. De helpdesk is gewaarschuwd dat iemand mogelijk uw naam gebruikt. Maakt u zich zorgen, bel dan uw IT-leverancier op een nummer dat u al kent.
approve-failed-title = Het getal klopte niet
approve-failed-text = Er is niets goedgekeurd. Bent u in gesprek met de helpdesk, vraag dan om een nieuwe link en kies het getal dat ze u noemen.
approve-expired-title = Deze link is verlopen
approve-expired-text = Er is niets goedgekeurd. Vraag de helpdesk zo nodig om een nieuwe.
approve-used-title = Deze link is al gebruikt
approve-used-text = Hij werkt één keer en is al beantwoord. U hoeft niets meer te doen.

## Een technicus controleren

check-title = Een technicus controleren · { $msp }
check-request-heading = Controleer of een technicus voor { $msp } werkt
check-request-sent = Als dit adres bij een contactpersoon van { $msp } hoort, hebben we een link gestuurd naar het bekende mobiele nummer of e-mailadres. Open die om te kiezen wie contact met u opnam.
check-request-intro = Zegt iemand van { $msp } te zijn? Vul uw e-mailadres in. We sturen een link naar het telefoonnummer of e-mailadres dat wij van u hebben, nooit naar een dat de beller u geeft.
check-email-label = Uw e-mailadres
check-email-error = Vul uw e-mailadres in, bijvoorbeeld amy@example.com.
check-send-button = Stuur mij een link
check-heading = Wie van { $msp } nam contact met u op?
check-technician-label = Technicus
check-choose = Kies…
check-choose-button = Vraag om bevestiging
check-choose-error = Kies een van de vermelde technici.
check-throttled = Te veel verzoeken vanaf uw netwerk. Probeer het over een uur opnieuw.
check-not-listed = Staat de persoon niet in de lijst? Dan werkt hij of zij misschien niet voor { $msp }: beëindig het gesprek en bel { $msp } op een nummer dat u al kent.
check-waiting = We hebben { $technician } gevraagd te bevestigen. Houd deze pagina open; hij werkt zichzelf bij.
check-confirmed = { $technician } werkt voor { $msp } en heeft bevestigd dat hij of zij het is.
check-code = Deze code wordt u voorgelezen:
check-code-mismatch = Klopt hij niet, beëindig dan het gesprek.
check-expired = Deze link is verlopen. Begin opnieuw op de verificatiepagina als u nog iemand wilt controleren.

## Secure Send: een beveiligd bericht voor de contactpersoon

secret-send-title = Een beveiligd bericht · { $msp }
secret-send-heading = { $msp }: een beveiligd bericht voor u
secret-send-intro = { $technician } van { $msp } heeft u een beveiligd bericht gestuurd.
secret-send-note = Notitie van de afzender: { $label }
secret-send-views = Het kan nog { $views ->
        [one] één keer
       *[other] { $views } keer
    } worden getoond, tot { $expires }. Hier tonen kost één weergave; er wordt niets verbruikt tot u op Tonen drukt.
secret-code-label = De 6-cijferige code die naar uw telefoon { $phone } is gestuurd
secret-code-check = Bevestigen
secret-code-intro = Bevestig eerst dat u het bent: we sturen een code naar uw telefoon { $phone }.
secret-code-send = Stuur mij een code
secret-code-sent = We hebben een code gestuurd naar { $phone }.
secret-code-wrong = Verkeerde code. { $left ->
        [one] Nog 1 poging.
       *[other] Nog { $left } pogingen.
    }
secret-code-dead = Deze code werkt niet meer. Vraag een nieuwe aan.
secret-code-verified = Bedankt: u bent het. U kunt het bericht nu tonen.
secret-passphrase-label = Wachtwoordzin (de afzender geeft u die apart)
secret-reveal-button = Tonen
secret-reveal-noscript = Tonen vereist JavaScript: het bericht wordt op uw apparaat ontsleuteld en de sleutel verlaat het nooit.
secret-message-label = Het bericht
secret-copy-button = Kopiëren
secret-copied = Gekopieerd
secret-link-incomplete = Deze link is onvolledig: het deel na de # ontbreekt of is beschadigd. Open de volledige link uit het bericht; er is niets verbruikt.
secret-wrong-passphrase = Verkeerde wachtwoordzin. Probeer het opnieuw; dit kost geen extra weergave.
secret-undecryptable = Het bericht kon niet worden ontsleuteld: de link is onvolledig of beschadigd.
secret-after-more = Het kan nog { $more ->
        [one] één keer
       *[other] { $more } keer
    } worden getoond tot het verloopt.
secret-after-again = Het kan opnieuw worden getoond tot het verloopt.
secret-last-view = Dat was de laatste weergave: het is nu van de server verwijderd.

## Secure Request: gegevens gevraagd aan de contactpersoon

secret-request-title = Gegevens veilig versturen · { $msp }
secret-request-heading = { $msp }: gegevens veilig versturen
secret-request-asks = { $technician } van { $msp } vraagt u om:
secret-request-privacy = Wat u invult, wordt op dit apparaat versleuteld voordat het wordt verstuurd; alleen { $msp } kan het openen, één keer. Dit formulier werkt tot { $expires }.
secret-request-answer-label = Uw antwoord
secret-request-button = Versleutelen en versturen
secret-request-noscript = Dit formulier vereist JavaScript: uw antwoord wordt op uw apparaat versleuteld.
secret-request-done = Verstuurd. Alleen { $msp } kan het openen, één keer. U kunt deze pagina sluiten.
secret-request-empty = Vul in wat er gevraagd wordt.
secret-request-answered-title = Al verstuurd
secret-request-answered-text = Dit verzoek is beantwoord. U hoeft niets meer te doen.

## Een beveiligde link die niet meer werkt

secret-unknown-title = Deze link werkt niet
secret-unknown-text = Misschien is hij verkeerd getypt of onvolledig. Vraag de afzender om een nieuwe.
secret-expired-title = Deze link is verlopen
secret-expired-text = De inhoud is bij het verlopen verwijderd. Vraag de afzender om een nieuwe link als u die nog nodig hebt.
secret-burned-title = Deze link is ingetrokken
secret-burned-text = De afzender heeft hem ingetrokken en de inhoud is verwijderd. Vraag om een nieuwe link als u die nog nodig hebt.
secret-used-title = Deze link is al gebruikt
secret-used-text = Hij kon een beperkt aantal keren worden geopend, en dat is gebeurd. De inhoud is verwijderd. Hebt u hem niet zelf geopend, laat het de afzender dan meteen weten.
secret-expired-at = Verlopen op { $expires }.
secret-opened-at = Laatst geopend op { $expires }.
secret-cancelled-at = Ingetrokken op { $expires }.
secret-sent-at = Verstuurd op { $expires }.

## Afmelden voor mededelingen

unsubscribe-title = Afmelden · { $msp }
unsubscribe-heading = Afmelden voor de mededelingen van { $msp }?
unsubscribe-intro = { $msp } stuurt mededelingen per e-mail naar { $address }, zoals storingsmeldingen. Druk op de knop en dit adres krijgt er geen meer.
unsubscribe-still = Berichten waar u zelf om vraagt, zoals verificatiecodes, krijgt u nog steeds.
unsubscribe-button = Afmelden
unsubscribe-done-title = U bent afgemeld
unsubscribe-done-text = U krijgt op dit adres geen mededelingen per e-mail meer van ons. Berichten waar u zelf om vraagt, zoals verificatiecodes, krijgt u nog steeds.
unsubscribe-already-title = U was al afgemeld
unsubscribe-already-text = Dit adres krijgt geen mededelingen per e-mail van ons. U hoeft niets meer te doen.
unsubscribe-invalid-title = Deze afmeldlink is niet geldig
unsubscribe-invalid-text = Er is niets gewijzigd: u bent niet afgemeld. De link is misschien ingekort of gewijzigd.
unsubscribe-invalid-help = Open de afmeldlink in de e-mail opnieuw, of gebruik de afmeldknop van uw e-mailprogramma.
