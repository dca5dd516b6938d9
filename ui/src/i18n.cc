#include "i18n.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace touchpoint::ui {

std::string Tr(const Translations& t, const std::string& lang, const std::string& fallback_lang) {
  if (auto it = t.find(lang); it != t.end()) return it->second;
  // "de-CH" falls back to "de".
  if (auto dash = lang.find('-'); dash != std::string::npos) {
    if (auto it = t.find(lang.substr(0, dash)); it != t.end()) return it->second;
  }
  if (auto it = t.find(fallback_lang); it != t.end()) return it->second;
  return t.empty() ? std::string() : t.begin()->second;
}

namespace {

using Table = std::map<std::string, const char*>;

const Table& Row(enum Phrase p) {
  static const std::map<enum Phrase, Table> kTable = {
      {Phrase::kTapToStart,
       {{"en", "Touch the screen to start"},
        {"de", "Zum Starten Bildschirm berühren"},
        {"fr", "Touchez l'écran pour commencer"},
        {"es", "Toque la pantalla para empezar"},
        {"it", "Tocca lo schermo per iniziare"},
        {"nl", "Raak het scherm aan om te beginnen"}}},
      {Phrase::kBack,
       {{"en", "Back"},
        {"de", "Zurück"},
        {"fr", "Retour"},
        {"es", "Atrás"},
        {"it", "Indietro"},
        {"nl", "Terug"}}},
      {Phrase::kNext,
       {{"en", "Next"},
        {"de", "Weiter"},
        {"fr", "Suivant"},
        {"es", "Siguiente"},
        {"it", "Avanti"},
        {"nl", "Volgende"}}},
      {Phrase::kSkip,
       {{"en", "Skip"},
        {"de", "Überspringen"},
        {"fr", "Passer"},
        {"es", "Omitir"},
        {"it", "Salta"},
        {"nl", "Overslaan"}}},
      {Phrase::kDone,
       {{"en", "Done"},
        {"de", "Fertig"},
        {"fr", "Terminé"},
        {"es", "Listo"},
        {"it", "Fatto"},
        {"nl", "Klaar"}}},
      {Phrase::kQuestionOf,
       {{"en", "Question %d of %d"},
        {"de", "Frage %d von %d"},
        {"fr", "Question %d sur %d"},
        {"es", "Pregunta %d de %d"},
        {"it", "Domanda %d di %d"},
        {"nl", "Vraag %d van %d"}}},
      {Phrase::kThankYou,
       {{"en", "Thank you!"},
        {"de", "Vielen Dank!"},
        {"fr", "Merci !"},
        {"es", "¡Gracias!"},
        {"it", "Grazie!"},
        {"nl", "Bedankt!"}}},
      {Phrase::kSaved,
       {{"en", "Your feedback is saved"},
        {"de", "Ihr Feedback ist gespeichert"},
        {"fr", "Votre avis est enregistré"},
        {"es", "Su opinión se ha guardado"},
        {"it", "Il tuo parere è stato salvato"},
        {"nl", "Uw feedback is opgeslagen"}}},
      {Phrase::kSaving,
       {{"en", "Saving…"},
        {"de", "Wird gespeichert…"},
        {"fr", "Enregistrement…"},
        {"es", "Guardando…"},
        {"it", "Salvataggio…"},
        {"nl", "Opslaan…"}}},
      {Phrase::kCannotSave,
       {{"en", "Sorry, answers cannot be saved right now"},
        {"de", "Antworten können gerade nicht gespeichert werden"},
        {"fr", "Les réponses ne peuvent pas être enregistrées pour le moment"},
        {"es", "Ahora mismo no se pueden guardar las respuestas"},
        {"it", "Al momento non è possibile salvare le risposte"},
        {"nl", "Antwoorden kunnen nu niet worden opgeslagen"}}},
      {Phrase::kChooseAll,
       {{"en", "Choose all that apply"},
        {"de", "Alles Zutreffende auswählen"},
        {"fr", "Choisissez tout ce qui s'applique"},
        {"es", "Elija todas las que correspondan"},
        {"it", "Scegli tutte le risposte valide"},
        {"nl", "Kies alles wat van toepassing is"}}},
      {Phrase::kUpTo,
       {{"en", "Choose up to %d"},
        {"de", "Bis zu %d auswählen"},
        {"fr", "Jusqu'à %d choix"},
        {"es", "Elija hasta %d"},
        {"it", "Scegli fino a %d"},
        {"nl", "Kies maximaal %d"}}},
      {Phrase::kNotLikely,
       {{"en", "Not at all likely"},
        {"de", "Gar nicht wahrscheinlich"},
        {"fr", "Pas du tout probable"},
        {"es", "Nada probable"},
        {"it", "Per niente probabile"},
        {"nl", "Helemaal niet waarschijnlijk"}}},
      {Phrase::kVeryLikely,
       {{"en", "Extremely likely"},
        {"de", "Äußerst wahrscheinlich"},
        {"fr", "Très probable"},
        {"es", "Muy probable"},
        {"it", "Molto probabile"},
        {"nl", "Zeer waarschijnlijk"}}},
      {Phrase::kVeryEasy,
       {{"en", "Very easy"},
        {"de", "Sehr einfach"},
        {"fr", "Très facile"},
        {"es", "Muy fácil"},
        {"it", "Molto facile"},
        {"nl", "Heel makkelijk"}}},
      {Phrase::kVeryDifficult,
       {{"en", "Very difficult"},
        {"de", "Sehr schwierig"},
        {"fr", "Très difficile"},
        {"es", "Muy difícil"},
        {"it", "Molto difficile"},
        {"nl", "Heel moeilijk"}}},
      {Phrase::kWelcome,
       {{"en", "Your opinion takes 10 seconds and is anonymous"},
        {"de", "Ihre Meinung dauert 10 Sekunden und ist anonym"},
        {"fr", "Votre avis prend 10 secondes et reste anonyme"},
        {"es", "Su opinión toma 10 segundos y es anónima"},
        {"it", "Il tuo parere richiede 10 secondi ed è anonimo"},
        {"nl", "Uw mening kost 10 seconden en is anoniem"}}},
      {Phrase::kPrivacyHint,
       {{"en", "Please don't enter names, phone numbers or email addresses"},
        {"de", "Bitte keine Namen, Telefonnummern oder E-Mail-Adressen eingeben"},
        {"fr", "Merci de ne pas saisir de noms, numéros de téléphone ou adresses e-mail"},
        {"es", "No escriba nombres, números de teléfono ni direcciones de correo"},
        {"it", "Non inserire nomi, numeri di telefono o indirizzi e-mail"},
        {"nl", "Vul geen namen, telefoonnummers of e-mailadressen in"},
        {"ru", "Пожалуйста, не указывайте имена, номера телефонов и адреса эл. почты"},
        {"uk", "Будь ласка, не вказуйте імена, номери телефонів та адреси ел. пошти"},
        {"bg", "Моля, не въвеждайте имена, телефонни номера или имейл адреси"},
        {"el", "Παρακαλούμε μη γράφετε ονόματα, αριθμούς τηλεφώνου ή διευθύνσεις email"}}},
      {Phrase::kTypeHere,
       {{"en", "Type your answer here"},
        {"de", "Ihre Antwort hier eingeben"},
        {"fr", "Écrivez votre réponse ici"},
        {"es", "Escriba su respuesta aquí"},
        {"it", "Scrivi qui la tua risposta"},
        {"nl", "Typ hier uw antwoord"},
        {"ru", "Напишите ваш ответ здесь"},
        {"uk", "Напишіть вашу відповідь тут"},
        {"bg", "Напишете отговора си тук"},
        {"el", "Γράψτε την απάντησή σας εδώ"}}},
  };
  return kTable.at(p);
}

}  // namespace

const char* Phrase(enum Phrase p, const std::string& lang) {
  const Table& row = Row(p);
  if (auto it = row.find(lang); it != row.end()) return it->second;
  if (auto dash = lang.find('-'); dash != std::string::npos) {
    if (auto it = row.find(lang.substr(0, dash)); it != row.end()) return it->second;
  }
  return row.at("en");
}

std::string LanguageName(const std::string& code) {
  static const std::map<std::string, const char*> kNames = {
      {"en", "English"},    {"de", "Deutsch"},    {"fr", "Français"},  {"es", "Español"},
      {"it", "Italiano"},   {"nl", "Nederlands"}, {"pt", "Português"}, {"pl", "Polski"},
      {"sv", "Svenska"},    {"da", "Dansk"},      {"nb", "Norsk"},     {"fi", "Suomi"},
      {"cs", "Čeština"},    {"tr", "Türkçe"},     {"el", "Ελληνικά"},  {"ru", "Русский"},
      {"uk", "Українська"}, {"ro", "Română"},     {"hu", "Magyar"},    {"hr", "Hrvatski"},
  };
  std::string base = code.substr(0, code.find('-'));
  if (auto it = kNames.find(base); it != kNames.end()) return it->second;
  std::string up = code;
  std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return std::toupper(c); });
  return up;
}

}  // namespace touchpoint::ui
