// RunKioskUi (the kiosk's main loop and frame pacing) and RunScreenshotTour.
#include <sys/stat.h>

#include <chrono>
#include <cstdio>

#include <algorithm>
#include <cctype>
#include <functional>

#include "dashboard_worker.h"
#include "i18n.h"
#include "kiosk_controller.h"
#include "screens.h"
#include "sdl_window.h"
#include "touchpoint/ui/kiosk_ui.h"
#include "touchpoint/ui/manager_pin.h"
#include "touchpoint/ui/ui_probe.h"

namespace touchpoint::ui {

namespace {

constexpr uint32_t kActiveFrameMs = 16;  // ~60 fps while someone touches the screen

bool CheckContext(const UiContext& ctx) {
  if (ctx.ui == nullptr || ctx.kiosk == nullptr || ctx.stamper == nullptr ||
      ctx.survey == nullptr) {
    std::fprintf(stderr, "touchpoint-ui: UiContext needs ui, kiosk, stamper and survey\n");
    return false;
  }
  return true;
}

WindowOptions OptionsOf(const UiContext& ctx, bool fullscreen) {
  WindowOptions o;
  o.title = "Touchpoint " + ctx.kiosk->kiosk_id;
  o.width = ctx.ui->width;
  o.height = ctx.ui->height;
  o.fullscreen = fullscreen;
  o.font_file = ctx.ui->font_file;
  o.renderer = ctx.ui->renderer == "software" ? WindowOptions::Renderer::kSoftware
               : ctx.ui->renderer == "opengl" ? WindowOptions::Renderer::kOpenGl
                                              : WindowOptions::Renderer::kAuto;
  return o;
}

double MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int RunKioskUi(UiContext ctx) {
  if (!CheckContext(ctx)) return 1;
  UiHealthState own_health;
  if (ctx.ui_health == nullptr) ctx.ui_health = &own_health;

  // The manager PIN: made on first start, noted once in a 0600 file. Without it the shopper UI
  // still runs, and the PIN prompt tries again (the data folder may appear once a full disk has
  // room again).
  auto open_pin = [&ctx]() -> std::unique_ptr<ManagerPin> {
    std::unique_ptr<ManagerPin> pin;
    auto opened = ManagerPin::Open(ctx.kiosk->data_dir + "/manager_pin", ctx.stamper->clock());
    if (opened.ok()) {
      pin = std::move(opened.value());
      if (!pin->generated_pin().empty()) {
        // Never the PIN itself: stderr ends up in the journal.
        std::fprintf(stderr,
                     "touchpoint-kiosk: a new manager PIN was made for kiosk %s; read it from %s "
                     "(0600) and change it on the dashboard, which removes that file\n",
                     ctx.kiosk->kiosk_id.c_str(),
                     ManagerPin::InitialPinPath(ctx.kiosk->data_dir + "/manager_pin").c_str());
      }
    } else {
      std::fprintf(stderr, "touchpoint-ui: manager PIN unavailable, dashboard locked: %s\n",
                   opened.status().ToString().c_str());
    }
    return pin;
  };
  std::unique_ptr<ManagerPin> pin = open_pin();

  bool fullscreen = ctx.ui->fullscreen && !ctx.windowed;
  auto win = KioskWindow::Open(OptionsOf(ctx, fullscreen));
  if (!win.ok()) {
    std::fprintf(stderr, "touchpoint-ui: cannot open the kiosk window: %s\n",
                 win.status().ToString().c_str());
    return 1;
  }
  KioskWindow& window = **win;
  std::fprintf(stderr, "touchpoint-ui: renderer %s%s%s\n", window.renderer_name().c_str(),
               window.renderer_reason().empty() ? "" : ": ", window.renderer_reason().c_str());
  {
    DashboardWorker worker(ctx);
    KioskController controller(ctx, pin.get(), &worker);
    if (pin == nullptr) controller.SetPinOpener(open_pin);
    if (ctx.start_screen == "dashboard" && ctx.probe != nullptr) controller.OpenDashboardForTest();
    bool input = false;
    while (ctx.stop == nullptr || !ctx.stop->load()) {
      auto t0 = std::chrono::steady_clock::now();
      if (ctx.heartbeat != nullptr) ctx.heartbeat->Beat();
      uint32_t start = window.TicksMs();
      Frame f = window.BeginFrame(ctx.probe);
      bool keep = controller.RunFrame(f, window.pointer(), window.TicksMs(), input);
      if (keep && window.press_or_release_pending()) {
        // A whole tap arrived (ImGui needs the press and the release in separate frames): run
        // the release's UI pass at once instead of rendering the pressed state first, so the
        // tap acts (and a submission starts its durable write) without waiting for frames.
        window.EndFrameUnrendered();
        input = true;
        continue;
      }
      Status st = window.EndFrame("", ctx.render_every_frame);
      if (ctx.probe != nullptr) ctx.probe->EndFrame(MsSince(t0), window.rendered_last_frame());
      if (!keep) break;
      if (window.close_requested() && !fullscreen) break;  // windowed (development) only
      // Pace: at most ~60 fps; when nobody touches the screen, the next frame is due when the
      // screen next changes by itself (KioskController::IdleFrameMs), and the thread sleeps in
      // SDL_WaitEventTimeout until then, waking at once on input. A press or release is handled
      // at once (moves wait for the 60 fps slot).
      input = false;
      uint32_t min_next = start + kActiveFrameMs;
      uint32_t interval = controller.IdleFrameMs(f.time_s);
      if (window.pointer().down || ctx.probe != nullptr) interval = kActiveFrameMs;
      uint32_t idle_next = start + interval;
      // The service watchdog: this thread now waits for input until idle_next at the latest
      // (signed: a frame that overran its interval promises no quiet time at all).
      if (ctx.heartbeat != nullptr) {
        int64_t quiet = static_cast<int64_t>(idle_next) - static_cast<int64_t>(window.TicksMs());
        ctx.heartbeat->Beat(std::max<int64_t>(quiet, 0) + kActiveFrameMs);
      }
      for (uint32_t now = window.TicksMs(); now < min_next && !window.press_or_release_pending();
           now = window.TicksMs()) {
        input |= window.PumpEvents(static_cast<int>(min_next - now));
      }
      input |= window.PumpEvents(0);
      for (uint32_t now = window.TicksMs(); !input && !window.redraw_needed() && now < idle_next;
           now = window.TicksMs()) {
        input |= window.PumpEvents(static_cast<int>(idle_next - now));
        if (ctx.stop != nullptr && ctx.stop->load()) break;
      }
    }
    controller.Shutdown();
  }
  if (ctx.store != nullptr) ctx.store->Flush();  // every submission's callback has run
  return 0;
}

namespace {

// Sample questions for the tour when the configured survey lacks a type.
Question SampleQuestion(QuestionType t, const std::string& lang) {
  Question q;
  q.type = t;
  switch (t) {
    case QuestionType::kCsat:
      q.id = "tour_csat";
      q.prompt[lang] = "How satisfied are you with your visit today?";
      break;
    case QuestionType::kNps:
      q.id = "tour_nps";
      q.prompt[lang] = "How likely are you to recommend us to a friend?";
      break;
    case QuestionType::kEffort:
      q.id = "tour_effort";
      q.prompt[lang] = "How easy was it to find what you needed?";
      break;
    case QuestionType::kText:
      q.id = "tour_text";
      q.optional = true;
      q.prompt[lang] = "Anything else you would like to tell us?";
      break;
    default:
      q.id = "tour_tags";
      q.type = QuestionType::kTags;
      q.prompt[lang] = "What made the difference?";
      for (const char* id : {"staff", "queue", "prices", "choice", "cleanliness", "checkout"}) {
        ReasonTag tag;
        tag.id = id;
        tag.label[lang] = id;
        tag.label[lang][0] = static_cast<char>(std::toupper(tag.label[lang][0]));
        q.tags.push_back(tag);
      }
      break;
  }
  return q;
}

}  // namespace

int RunScreenshotTour(UiContext ctx, const std::string& outdir) {
  if (!CheckContext(ctx)) return 1;
  ::mkdir(outdir.c_str(), 0755);
  auto win = KioskWindow::Open(OptionsOf(ctx, false));
  if (!win.ok()) {
    std::fprintf(stderr, "touchpoint-ui: cannot open a window for the tour: %s\n",
                 win.status().ToString().c_str());
    return 1;
  }
  KioskWindow& window = **win;

  // The survey to show: the configured one plus a sample of each missing question type. Free
  // text is shown even where the configuration keeps it off, so the tour has every screen.
  SurveyDefinition survey = *ctx.survey->Get();
  const std::string lang = survey.default_language();
  survey.free_text = true;
  for (QuestionType t : {QuestionType::kCsat, QuestionType::kNps, QuestionType::kEffort,
                         QuestionType::kTags, QuestionType::kText}) {
    bool have = false;
    for (const Question& q : survey.questions) have |= q.type == t;
    if (!have) {
      Question q = SampleQuestion(t, lang);
      for (const std::string& l : survey.languages) {
        q.prompt[l] = q.prompt[lang];
        for (ReasonTag& tag : q.tags) tag.label[l] = tag.label[lang];
      }
      survey.questions.push_back(q);
    }
  }
  auto shared_survey = std::make_shared<const SurveyDefinition>(survey);

  // Dashboard data from the store, read on this thread.
  DashboardData data;
  {
    std::unique_ptr<EventReader> reader;
    if (ctx.store != nullptr) {
      auto r = ctx.store->NewReader();
      if (r.ok()) reader = std::move(r.value());
    }
    data = DashboardWorker::Load(ctx, reader.get());
  }
  auto data_ptr = std::make_shared<const DashboardData>(data);

  int failures = 0;
  int n = 0;
  auto shoot = [&](const std::string& name, const std::function<void(const Frame&)>& draw) {
    char file[512];
    std::snprintf(file, sizeof file, "%s/%02d-%s.png", outdir.c_str(), ++n, name.c_str());
    for (int i = 0; i < 3; ++i) {  // let fonts and layout settle
      window.PumpEvents(0);
      Frame f = window.BeginFrame(nullptr);
      draw(f);
      Status st = window.EndFrame(i == 2 ? file : "");
      if (!st.ok()) {
        std::fprintf(stderr, "touchpoint-ui: %s\n", st.ToString().c_str());
        ++failures;
      }
    }
    std::printf("%s\n", file);
  };
  // The attract screen at rest, as an idle kiosk shows it (not in the middle of a wave).
  auto at_rest = [](const Frame& f) {
    Frame still = f;
    still.time_s = (kAttractWaveS + kAttractWavePeriodS) / 2;
    return still;
  };
  auto attract = [&](const Frame& f) {
    DrawAttractScreen(at_rest(f),
                      AttractView{Tr(survey.title, lang, lang), lang, lang, survey.languages});
  };
  // Typed text for the free-text question: the survey's language, or one of the languages with a
  // keyboard in their own script (shown in the tour whatever the survey's languages).
  auto sample_text = [](const std::string& language) -> const char* {
    if (language == "ru") return "Персонал очень помог, но очередь в кафе была длинной. Может ";
    if (language == "uk") return "Персонал дуже допоміг, але черга в кафе була довгою. Можливо ";
    if (language == "bg") return "Персоналът помогна много, но опашката в кафенето беше дълга. ";
    if (language == "el") return "Το προσωπικό βοήθησε πολύ, αλλά η ουρά στο καφέ ήταν μεγάλη. ";
    return "The staff were really helpful, but the queue at the café was long. Maybe ";
  };
  auto question = [&](size_t index, KeyboardLayer layer = KeyboardLayer::kLetters,
                      const std::string& language = "", bool latin = false) {
    return [&, index, layer, language, latin](const Frame& f) {
      SurveySession s(shared_survey, language.empty() ? lang : language, 0);
      while (s.index() < static_cast<int>(index) && !s.finished()) {
        const Question& q = s.current();
        if (auto r = ScoreRangeOf(q.type)) {
          s.AnswerScore((r->min + r->max + 1) / 2);
        } else {
          s.Skip();
        }
      }
      if (!s.finished() && s.current().type == QuestionType::kTags && s.current().tags.size() > 2) {
        s.ToggleTag(s.current().tags[0].id);
        s.ToggleTag(s.current().tags[2].id);
      }
      KeyboardState keyboard;
      if (!s.finished() && s.current().type == QuestionType::kText) {
        std::string text = sample_text(s.language());
        s.SetText(text);
        // After the end of a sentence the keys show capitals, as they would for the shopper.
        if (EndsSentence(text)) keyboard.shift = ShiftState::kOnce;
        keyboard.layer = layer;
        keyboard.latin = latin;
        keyboard.last_key_s = f.time_s;  // the caret shows
      }
      if (!s.finished()) DrawQuestionScreen(f, s, lang, keyboard);
    };
  };
  auto thank_you = [&](const Frame& f) {
    DrawThankYouScreen(
        f, ThankYouView{Tr(survey.thank_you, lang, lang), lang, SaveState::kSaved, 0.3f});
  };
  // A kiosk whose store cannot save (disk full): what the shopper is told.
  auto attract_cannot_save = [&](const Frame& f) {
    AttractView v{Tr(survey.title, lang, lang), lang, lang, survey.languages};
    v.cannot_save = true;
    DrawAttractScreen(at_rest(f), v);
  };
  auto thank_you_cannot_save = [&](const Frame& f) {
    DrawThankYouScreen(
        f, ThankYouView{Tr(survey.thank_you, lang, lang), lang, SaveState::kFailed, 0.3f});
  };
  auto pin = [&](const Frame& f) {
    DrawPinScreen(f, PinView{"Manager PIN", 3, "Wrong PIN · 4 tries left", true, false});
  };
  auto dashboard_view = [&] {
    DashboardView v;
    v.data = data_ptr;
    v.survey = &survey;
    v.kiosk_id = ctx.kiosk->kiosk_id;
    v.store_id = ctx.kiosk->store_id;
    v.software_version = ctx.software_version;
    v.config_version = ctx.config_version;
    v.now_ms = data.computed_at_ms;
    v.camera_setup = static_cast<bool>(ctx.camera_setup_view);
    return v;
  };
  auto dashboard = [&](const Frame& f) { DrawDashboardScreen(f, dashboard_view()); };
  auto dashboard_export = [&](const Frame& f) {
    DashboardView v = dashboard_view();
    v.export_open = true;
    v.export_state = ExportState{
        false, true,
        "Exported 1234 events to " +
            (data.export_folders.empty() ? std::string("/media/usb") : data.export_folders.back())};
    DrawDashboardScreen(f, v);
  };

  // The camera setup screen, with the view the camera gives now (ctx.camera_setup_view).
  CameraSetupView setup_view;
  bool have_setup_view = false;
  ImTextureID setup_texture = nullptr;
  auto setup = [&](const Frame& f) {
    if (!have_setup_view && ctx.camera_setup_view) {
      have_setup_view = ctx.camera_setup_view(&setup_view);
      if (have_setup_view && f.images != nullptr) {
        setup_texture =
            f.images->Upload(setup_view.rgba.data(), setup_view.width, setup_view.height);
      }
    }
    SetupScreenView v;
    v.view = have_setup_view ? &setup_view : nullptr;
    v.texture = setup_texture;
    DrawSetupScreen(f, v);
  };

  auto shoot_all = [&](const std::string& suffix, bool everything) {
    shoot("attract" + suffix, attract);
    for (size_t i = 0; i < survey.questions.size(); ++i) {
      const Question& q = survey.questions[i];
      bool text = q.type == QuestionType::kText;
      if (!everything && i > 0 && !text) continue;  // landscape: the first question and text
      std::string name = "question-" + std::string(QuestionTypeName(q.type)) + "-" + q.id;
      shoot(name + suffix, question(i));
      if (text && everything) {
        shoot(name + "-symbols" + suffix, question(i, KeyboardLayer::kSymbols));
        shoot(name + "-accents" + suffix, question(i, KeyboardLayer::kAccents));
        for (const char* l : {"ru", "uk", "bg", "el"}) {
          shoot(name + "-" + l + suffix, question(i, KeyboardLayer::kLetters, l));
        }
        shoot(name + "-el-latin" + suffix, question(i, KeyboardLayer::kLetters, "el", true));
      }
    }
    shoot("thank-you" + suffix, thank_you);
    if (everything) {
      shoot("attract-cannot-save" + suffix, attract_cannot_save);
      shoot("thank-you-cannot-save" + suffix, thank_you_cannot_save);
    }
    shoot("pin" + suffix, pin);
    shoot("dashboard" + suffix, dashboard);
    if (everything) shoot("dashboard-export" + suffix, dashboard_export);
    if (ctx.camera_setup_view) shoot("setup" + suffix, setup);
  };
  int w = ctx.ui->width, h = ctx.ui->height;
  window.SetSize(std::min(w, h), std::max(w, h));
  shoot_all("", true);
  window.SetSize(std::max(w, h), std::min(w, h));
  shoot_all("-landscape", false);
  return failures == 0 ? 0 : 1;
}

}  // namespace touchpoint::ui
