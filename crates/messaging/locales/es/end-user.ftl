# Countersign: lo que leen los usuarios finales de un MSP, en español.
# Marcadores y estructura como en ../en/end-user.ftl (descritos allí).

## Mensajes enviados al contacto

sms-verify-code = Soporte de { $msp }: { $technician } nos pidió verificar que es usted. Código { $code } (válido { $minutes } min). Dé este código solo si USTED contactó con { $msp }. Nunca le llamaremos para pedírselo.
verify-code-subject = Código de verificación de { $msp }
verify-link-subject = { $msp }: confirme que es usted
verify-link-body =
    Soporte de { $msp }: { $technician } nos pidió confirmar que es usted quien está en la llamada.

    Abra este enlace y elija el número que le diga { $technician }:
    { $link }

    Funciona una sola vez, durante { $minutes } minutos. Apruebe solo si USTED está hablando con { $msp } ahora mismo. Si no es así, abra el enlace y elija «No he sido yo».
who-i-am-subject = { $technician } trabaja para { $msp }
who-i-am-body = { $msp }: { $technician } trabaja para { $msp } y se está poniendo en contacto con usted. { $technician } le leerá este código: { $code }. Si el código no coincide, cuelgue y llame a { $msp } a un número que ya conozca.
technician-check-subject = { $msp }: compruebe quién le ha contactado
technician-check-body =
    { $msp }: pidió comprobar a un técnico que le ha contactado. Abra este enlace y elija quién fue:
    { $link }

    Funciona durante { $minutes } minutos. Si no lo ha pedido, ignore este mensaje.
secret-send-subject = { $msp }: un mensaje seguro de { $technician }
secret-send-body =
    { $msp }: { $technician } le ha enviado un mensaje seguro.

    Ábralo aquí (funciona { $views ->
        [one] una vez
       *[other] { $views } veces
    }, hasta el { $expires }):
    { $link }

    El enlace muestra primero quién lo envió; el mensaje solo aparece cuando pulse Mostrar. Si no lo esperaba, pregunte a { $msp } en un número que ya conozca.
secret-request-subject = { $msp }: { $technician } le pide que envíe datos de forma segura
secret-request-body =
    { $msp }: { $technician } le pide que envíe «{ $what }» de forma segura.

    Introdúzcalo aquí (hasta el { $expires }); se cifra en su dispositivo antes de enviarse:
    { $link }

    Si no lo esperaba, pregunte a { $msp } en un número que ya conozca.
secret-code-subject = Código de su mensaje seguro de { $msp }
sms-secret-code = { $msp }: su código para abrir el mensaje seguro de { $technician } es { $code } (válido { $minutes } min). Escríbalo solo en la página de ese mensaje; no se lo diga a nadie.

## La página de aprobación (coincidencia de números)

approve-title = Confirme que es usted · { $msp }
approve-heading = { $msp }: ¿es usted?
approve-intro = { $technician }, de { $msp }, quiere confirmar que usted es la persona con la que está hablando ahora mismo.
approve-expiry = Este enlace funciona una sola vez, hasta el { $expires }.
approve-pick = ¿Qué número le dice { $technician }?
approve-button = Aprobar
approve-not-me = ¿No está hablando con { $msp } ahora mismo?
approve-deny-button = No he sido yo
approve-pick-error = Elija el número que le diga el soporte y pulse Aprobar.
approve-verified-title = Gracias: su identidad está verificada
approve-verified-text = Puede volver a su llamada y cerrar esta página.
approve-denied-title = Gracias por avisarnos
approve-denied-text = No se ha aprobado nada. Se ha alertado al soporte de que alguien podría estar usando su nombre. Si le preocupa, llame a su proveedor de TI a un número que ya conozca.
approve-failed-title = El número no coincidía
approve-failed-text = No se ha aprobado nada. Si está en una llamada con el soporte, pida un enlace nuevo y elija el número que le digan.
approve-expired-title = Este enlace ha caducado
approve-expired-text = No se ha aprobado nada. Pida uno nuevo al soporte si lo necesita.
approve-used-title = Este enlace ya se utilizó
approve-used-text = Funciona una sola vez y ya se respondió. No tiene que hacer nada más.

## Comprobar un técnico

check-title = Comprobar un técnico · { $msp }
check-request-heading = Compruebe que un técnico trabaja para { $msp }
check-request-sent = Si esta dirección pertenece a un contacto de { $msp }, hemos enviado un enlace a su móvil o correo electrónico registrados. Ábralo para elegir quién le ha contactado.
check-request-intro = ¿Alguien dice ser de { $msp }? Introduzca su dirección de correo electrónico. Enviamos un enlace al teléfono o correo que tenemos registrado para usted, nunca a uno que le dé quien llama.
check-email-label = Su dirección de correo electrónico
check-email-error = Introduzca su dirección de correo electrónico, por ejemplo amy@example.com.
check-send-button = Enviarme un enlace
check-heading = ¿Quién de { $msp } le ha contactado?
check-technician-label = Técnico
check-choose = Elija…
check-choose-button = Pedirle que lo confirme
check-choose-error = Elija uno de los técnicos de la lista.
check-throttled = Demasiadas solicitudes desde su red. Vuelva a intentarlo dentro de una hora.
check-not-listed = ¿No aparece en la lista? Puede que no trabaje para { $msp }: termine la conversación y llame a { $msp } a un número que ya conozca.
check-waiting = Hemos pedido a { $technician } que lo confirme. Mantenga esta página abierta; se actualiza sola.
check-confirmed = { $technician } trabaja para { $msp } y ha confirmado que es quien dice ser.
check-code = Le leerá este código:
check-code-mismatch = Si no coincide, termine la conversación.
check-expired = Este enlace ha caducado. Vuelva a empezar en la página de verificación si aún necesita comprobar a alguien.

## Secure Send: un mensaje seguro para el contacto

secret-send-title = Un mensaje seguro · { $msp }
secret-send-heading = { $msp }: un mensaje seguro para usted
secret-send-intro = { $technician }, de { $msp }, le ha enviado un mensaje seguro.
secret-send-note = Nota del remitente: { $label }
secret-send-views = Puede mostrarse { $views ->
        [one] una vez más
       *[other] { $views } veces más
    }, hasta el { $expires }. Mostrarlo aquí consume una vista; no se consume nada hasta que pulse Mostrar.
secret-code-label = El código de 6 dígitos enviado a su teléfono { $phone }
secret-code-check = Confirmar
secret-code-intro = Antes de mostrarlo, confirme que es usted: enviamos un código a su teléfono { $phone }.
secret-code-send = Enviarme un código
secret-code-sent = Hemos enviado un código al { $phone }.
secret-code-wrong = Código incorrecto. { $left ->
        [one] Queda 1 intento.
       *[other] Quedan { $left } intentos.
    }
secret-code-dead = Este código ya no funciona. Pida uno nuevo.
secret-code-verified = Gracias: es usted. Ya puede mostrar el mensaje.
secret-passphrase-label = Frase de contraseña (el remitente se la dice por separado)
secret-reveal-button = Mostrar
secret-reveal-noscript = Para mostrarlo se necesita JavaScript: el mensaje se descifra en su dispositivo y su clave nunca sale de él.
secret-message-label = El mensaje
secret-copy-button = Copiar
secret-copied = Copiado
secret-link-incomplete = Este enlace está incompleto: falta la parte después del # o está dañada. Abra el enlace completo del mensaje; no se ha consumido nada.
secret-wrong-passphrase = Frase de contraseña incorrecta. Inténtelo de nuevo; esto no consume otra vista.
secret-undecryptable = No se pudo descifrar el mensaje: el enlace está incompleto o dañado.
secret-after-more = Puede mostrarse { $more ->
        [one] una vez más
       *[other] { $more } veces más
    } hasta que caduque.
secret-after-again = Puede volver a mostrarse hasta que caduque.
secret-last-view = Esa fue su última vista: ahora se ha borrado del servidor.

## Secure Request: datos que se piden al contacto

secret-request-title = Enviar datos de forma segura · { $msp }
secret-request-heading = { $msp }: enviar datos de forma segura
secret-request-asks = { $technician }, de { $msp }, le pide:
secret-request-privacy = Lo que introduzca se cifra en este dispositivo antes de enviarse; solo { $msp } puede abrirlo, una vez. Este formulario funciona hasta el { $expires }.
secret-request-answer-label = Su respuesta
secret-request-button = Cifrar y enviar
secret-request-noscript = Este formulario necesita JavaScript: su respuesta se cifra en su dispositivo.
secret-request-done = Enviado. Solo { $msp } puede abrirlo, una vez. Puede cerrar esta página.
secret-request-empty = Introduzca lo que se le ha pedido.
secret-request-answered-title = Ya enviado
secret-request-answered-text = Esta solicitud ya se respondió. No tiene que hacer nada más.

## Un enlace seguro que ya no funciona

secret-unknown-title = Este enlace no funciona
secret-unknown-text = Puede que esté mal escrito o incompleto. Pida uno nuevo al remitente.
secret-expired-title = Este enlace ha caducado
secret-expired-text = Su contenido se eliminó al caducar. Pida un enlace nuevo al remitente si aún lo necesita.
secret-burned-title = Este enlace se canceló
secret-burned-text = El remitente lo canceló y su contenido se eliminó. Pídale un enlace nuevo si aún lo necesita.
secret-used-title = Este enlace ya se utilizó
secret-used-text = Solo podía abrirse un número limitado de veces, y ya se abrió. Su contenido se eliminó. Si no lo abrió usted, avise de inmediato al remitente.
secret-expired-at = Caducó el { $expires }.
secret-opened-at = Abierto por última vez el { $expires }.
secret-cancelled-at = Cancelado el { $expires }.
secret-sent-at = Enviado el { $expires }.

## Darse de baja de los avisos

unsubscribe-title = Darse de baja · { $msp }
unsubscribe-heading = ¿Darse de baja de los avisos de { $msp }?
unsubscribe-intro = { $msp } envía avisos por correo electrónico a { $address }, como notificaciones de incidencias. Pulse el botón y esta dirección no recibirá más.
unsubscribe-still = Los mensajes que usted solicita, como los códigos de verificación, le seguirán llegando.
unsubscribe-button = Darme de baja
unsubscribe-done-title = Se ha dado de baja
unsubscribe-done-text = No recibirá más avisos por correo electrónico nuestros en esta dirección. Los mensajes que usted solicita, como los códigos de verificación, le seguirán llegando.
unsubscribe-already-title = Ya estaba dado de baja
unsubscribe-already-text = Esta dirección no recibe avisos por correo electrónico nuestros. No tiene que hacer nada más.
unsubscribe-invalid-title = Este enlace para darse de baja no es válido
unsubscribe-invalid-text = No se ha cambiado nada: no se ha dado de baja. Puede que el enlace esté cortado o alterado.
unsubscribe-invalid-help = Vuelva a abrir el enlace para darse de baja del correo, o use el botón de baja de su aplicación de correo.
