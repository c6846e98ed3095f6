# Countersign : ce que lisent les utilisateurs finaux d'un MSP, en français.
# Espaces réservés et structure comme dans ../en/end-user.ftl (décrits là-bas).

## Messages envoyés au contact

sms-verify-code = Support { $msp } : { $technician } nous a demandé de vérifier qu'il s'agit bien de vous. Code { $code } (valable { $minutes } min). Ne donnez ce code que si c'est VOUS qui avez contacté { $msp }. Nous ne vous appellerons jamais pour vous le demander.
verify-code-subject = Code de vérification { $msp }
verify-link-subject = { $msp } : confirmez qu'il s'agit bien de vous
verify-link-body =
    Support { $msp } : { $technician } nous a demandé de confirmer que c'est bien vous qui êtes en ligne.

    Ouvrez ce lien et choisissez le nombre que { $technician } vous indique :
    { $link }

    Il ne fonctionne qu'une fois, pendant { $minutes } minutes. N'approuvez que si VOUS parlez avec { $msp } en ce moment. Sinon, ouvrez le lien et choisissez « Ce n'était pas moi ».
who-i-am-subject = { $technician } travaille pour { $msp }
who-i-am-body = { $msp } : { $technician } travaille pour { $msp } et vous contacte. { $technician } va vous lire ce code : { $code }. Si le code ne correspond pas, raccrochez et appelez { $msp } à un numéro que vous connaissez déjà.
technician-check-subject = { $msp } : vérifiez qui vous a contacté
technician-check-body =
    { $msp } : vous avez demandé à vérifier un technicien qui vous a contacté. Ouvrez ce lien et choisissez de qui il s'agit :
    { $link }

    Il fonctionne pendant { $minutes } minutes. Si vous n'avez rien demandé, ignorez ce message.
secret-send-subject = { $msp } : un message sécurisé de { $technician }
secret-send-body =
    { $msp } : { $technician } vous a envoyé un message sécurisé.

    Ouvrez-le ici ({ $views ->
        [one] une seule fois
       *[other] { $views } fois
    }, jusqu'au { $expires }) :
    { $link }

    Le lien indique d'abord qui l'a envoyé ; le message n'apparaît que lorsque vous appuyez sur Afficher. Si vous ne l'attendiez pas, renseignez-vous auprès de { $msp } à un numéro que vous connaissez déjà.
secret-request-subject = { $msp } : { $technician } vous demande d'envoyer des données en toute sécurité
secret-request-body =
    { $msp } : { $technician } vous demande d'envoyer « { $what } » en toute sécurité.

    Saisissez-le ici (jusqu'au { $expires }) ; il est chiffré sur votre appareil avant d'être envoyé :
    { $link }

    Si vous ne vous y attendiez pas, renseignez-vous auprès de { $msp } à un numéro que vous connaissez déjà.
secret-code-subject = Code de votre message sécurisé { $msp }
sms-secret-code = { $msp } : votre code pour ouvrir le message sécurisé de { $technician } est { $code } (valable { $minutes } min). Saisissez-le uniquement sur la page de ce message ; ne le communiquez à personne.

## La page d'approbation (correspondance de nombres)

approve-title = Confirmez qu'il s'agit bien de vous · { $msp }
approve-heading = { $msp } : est-ce bien vous ?
approve-intro = { $technician }, de { $msp }, souhaite confirmer que vous êtes bien la personne avec qui il ou elle parle en ce moment.
approve-expiry = Ce lien ne fonctionne qu'une fois, jusqu'au { $expires }.
approve-pick = Quel nombre { $technician } vous indique-t-il ?
approve-button = Approuver
approve-not-me = Vous ne parlez pas avec { $msp } en ce moment ?
approve-deny-button = Ce n'était pas moi
approve-pick-error = Choisissez le nombre que le support vous indique, puis appuyez sur Approuver.
approve-verified-title = Merci : votre identité est confirmée
approve-verified-text = Vous pouvez reprendre votre appel et fermer cette page.
approve-denied-title = Merci de nous avoir prévenus
approve-denied-text = Rien n'a été approuvé. Le support a été alerté que quelqu'un utilise peut-être votre nom. En cas de doute, appelez votre prestataire informatique à un numéro que vous connaissez déjà.
approve-failed-title = Le nombre ne correspondait pas
approve-failed-text = Rien n'a été approuvé. Si vous êtes en ligne avec le support, demandez un nouveau lien et choisissez le nombre qu'on vous indique.
approve-expired-title = Ce lien a expiré
approve-expired-text = Rien n'a été approuvé. Demandez-en un nouveau au support si nécessaire.
approve-used-title = Ce lien a déjà été utilisé
approve-used-text = Il ne fonctionne qu'une fois et a déjà reçu une réponse. Vous n'avez rien d'autre à faire.

## Vérifier un technicien

check-title = Vérifier un technicien · { $msp }
check-request-heading = Vérifiez qu'un technicien travaille pour { $msp }
check-request-sent = Si cette adresse appartient à un contact de { $msp }, nous avons envoyé un lien au téléphone mobile ou à l'adresse e-mail enregistrés. Ouvrez-le pour choisir qui vous a contacté.
check-request-intro = Quelqu'un prétend être de { $msp } ? Saisissez votre adresse e-mail. Nous envoyons un lien au téléphone ou à l'adresse e-mail que nous avons enregistrés pour vous, jamais à ceux que l'interlocuteur vous donne.
check-email-label = Votre adresse e-mail
check-email-error = Saisissez votre adresse e-mail, par exemple amy@example.com.
check-send-button = M'envoyer un lien
check-heading = Qui vous a contacté de la part de { $msp } ?
check-technician-label = Technicien
check-choose = Choisir…
check-choose-button = Lui demander de confirmer
check-choose-error = Choisissez l'un des techniciens de la liste.
check-throttled = Trop de demandes depuis votre réseau. Réessayez dans une heure.
check-not-listed = Absent de la liste ? Cette personne ne travaille peut-être pas pour { $msp } : mettez fin à la conversation et appelez { $msp } à un numéro que vous connaissez déjà.
check-waiting = Nous avons demandé à { $technician } de confirmer. Gardez cette page ouverte ; elle se met à jour d'elle-même.
check-confirmed = { $technician } travaille pour { $msp } et a confirmé qu'il s'agit bien de lui ou d'elle.
check-code = On va vous lire ce code :
check-code-mismatch = S'il ne correspond pas, mettez fin à la conversation.
check-expired = Ce lien a expiré. Recommencez sur la page de vérification si vous devez encore vérifier quelqu'un.

## Secure Send : un message sécurisé pour le contact

secret-send-title = Un message sécurisé · { $msp }
secret-send-heading = { $msp } : un message sécurisé pour vous
secret-send-intro = { $technician }, de { $msp }, vous a envoyé un message sécurisé.
secret-send-note = Note de l'expéditeur : { $label }
secret-send-views = Il peut encore être affiché { $views ->
        [one] une fois
       *[other] { $views } fois
    }, jusqu'au { $expires }. L'afficher ici utilise un affichage ; rien n'est utilisé tant que vous n'appuyez pas sur Afficher.
secret-code-label = Le code à 6 chiffres envoyé à votre téléphone { $phone }
secret-code-check = Confirmer
secret-code-intro = Avant de l'afficher, confirmez qu'il s'agit bien de vous : nous envoyons un code à votre téléphone { $phone }.
secret-code-send = M'envoyer un code
secret-code-sent = Nous avons envoyé un code au { $phone }.
secret-code-wrong = Code erroné. { $left ->
        [one] Encore 1 essai.
       *[other] Encore { $left } essais.
    }
secret-code-dead = Ce code ne fonctionne plus. Demandez-en un nouveau.
secret-code-verified = Merci : c'est bien vous. Vous pouvez maintenant afficher le message.
secret-passphrase-label = Phrase secrète (l'expéditeur vous la communique séparément)
secret-reveal-button = Afficher
secret-reveal-noscript = L'affichage nécessite JavaScript : le message est déchiffré sur votre appareil, et sa clé ne le quitte jamais.
secret-message-label = Le message
secret-copy-button = Copier
secret-copied = Copié
secret-link-incomplete = Ce lien est incomplet : la partie après le # manque ou est endommagée. Ouvrez le lien complet depuis le message ; rien n'a été utilisé.
secret-wrong-passphrase = Phrase secrète erronée. Réessayez ; cela n'utilise pas d'affichage supplémentaire.
secret-undecryptable = Le message n'a pas pu être déchiffré : le lien est incomplet ou endommagé.
secret-after-more = Il peut encore être affiché { $more ->
        [one] une fois
       *[other] { $more } fois
    } avant son expiration.
secret-after-again = Il peut encore être affiché avant son expiration.
secret-last-view = C'était son dernier affichage : il est maintenant supprimé du serveur.

## Secure Request : des données demandées au contact

secret-request-title = Envoyer des données en toute sécurité · { $msp }
secret-request-heading = { $msp } : envoyer des données en toute sécurité
secret-request-asks = { $technician }, de { $msp }, vous demande :
secret-request-privacy = Ce que vous saisissez est chiffré sur cet appareil avant d'être envoyé ; seul { $msp } peut l'ouvrir, une seule fois. Ce formulaire fonctionne jusqu'au { $expires }.
secret-request-answer-label = Votre réponse
secret-request-button = Chiffrer et envoyer
secret-request-noscript = Ce formulaire nécessite JavaScript : votre réponse est chiffrée sur votre appareil.
secret-request-done = Envoyé. Seul { $msp } peut l'ouvrir, une seule fois. Vous pouvez fermer cette page.
secret-request-empty = Saisissez ce qui vous est demandé.
secret-request-answered-title = Déjà envoyé
secret-request-answered-text = Cette demande a reçu une réponse. Vous n'avez rien d'autre à faire.

## Un lien sécurisé qui ne fonctionne plus

secret-unknown-title = Ce lien ne fonctionne pas
secret-unknown-text = Il est peut-être mal saisi ou incomplet. Demandez-en un nouveau à l'expéditeur.
secret-expired-title = Ce lien a expiré
secret-expired-text = Son contenu a été supprimé à l'expiration. Demandez un nouveau lien à l'expéditeur si vous en avez encore besoin.
secret-burned-title = Ce lien a été annulé
secret-burned-text = L'expéditeur l'a annulé et son contenu a été supprimé. Demandez-lui un nouveau lien si vous en avez encore besoin.
secret-used-title = Ce lien a déjà été utilisé
secret-used-text = Il ne pouvait être ouvert qu'un nombre limité de fois, et c'est fait. Son contenu a été supprimé. Si ce n'est pas vous qui l'avez ouvert, prévenez immédiatement l'expéditeur.
secret-expired-at = Expiré le { $expires }.
secret-opened-at = Dernière ouverture le { $expires }.
secret-cancelled-at = Annulé le { $expires }.
secret-sent-at = Envoyé le { $expires }.

## Se désabonner des annonces

unsubscribe-title = Se désabonner · { $msp }
unsubscribe-heading = Vous désabonner des annonces de { $msp } ?
unsubscribe-intro = { $msp } envoie des annonces par e-mail à { $address }, par exemple des avis de panne. Appuyez sur le bouton et cette adresse n'en recevra plus.
unsubscribe-still = Les messages que vous demandez, comme les codes de vérification, vous parviennent toujours.
unsubscribe-button = Se désabonner
unsubscribe-done-title = Vous êtes désabonné
unsubscribe-done-text = Vous ne recevrez plus nos annonces par e-mail à cette adresse. Les messages que vous demandez, comme les codes de vérification, vous parviennent toujours.
unsubscribe-already-title = Vous étiez déjà désabonné
unsubscribe-already-text = Cette adresse ne reçoit pas nos annonces par e-mail. Vous n'avez rien d'autre à faire.
unsubscribe-invalid-title = Ce lien de désabonnement n'est pas valide
unsubscribe-invalid-text = Rien n'a été modifié : vous n'êtes pas désabonné. Le lien a peut-être été tronqué ou modifié.
unsubscribe-invalid-help = Ouvrez à nouveau le lien de désabonnement de l'e-mail, ou utilisez le bouton de désabonnement de votre messagerie.
