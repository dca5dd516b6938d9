#include "kiosk_controller.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "i18n.h"
#include "touchpoint/ui/ui_probe.h"

namespace touchpoint::ui {

namespace {
constexpr int kMaxPinDigits = 8;
constexpr uint32_t kAnimationFrameMs = 33;  // thank-you, PIN, export progress, attract wave
constexpr uint32_t kStaticFrameMs = 100;    // nothing moves: keep timeouts ticking only
constexpr uint32_t kSetupFrameMs = 100;     // the camera setup view: a camera's 10 fps
constexpr uint32_t kAttractPollMs = 500;    // attract at rest: health notice, pushed survey
}  // namespace

KioskController::KioskController(const UiContext& ctx, ManagerPin* pin, DashboardWorker* worker)
    : ctx_(ctx),
      pin_(pin),
      worker_(worker),
      spam_(static_cast<int64_t>(ctx.ui->suspect_window_s) * 1000) {
  language_ = ctx_.survey->Get()->default_language();
  last_input_ms_ = screen_since_ms_ = NowMs();
}

KioskController::~KioskController() { Shutdown(); }

int64_t KioskController::NowMs() const { return ctx_.stamper->clock().MonotonicMs(); }

const char* KioskController::screen_name() const {
  switch (screen_) {
    case Screen::kAttract:
      return "attract";
    case Screen::kQuestion:
      return "question";
    case Screen::kThankYou:
      return "thank_you";
    case Screen::kPin:
      return "pin";
    case Screen::kDashboard:
      return "dashboard";
    case Screen::kSetup:
      return "setup";
  }
  return "?";
}

uint32_t KioskController::IdleFrameMs(double time_s) const {
  if (screen_ == Screen::kAttract) {
    double still_ms = AttractStillForS(time_s) * 1000.0;
    if (still_ms <= 0) return kAnimationFrameMs;
    return static_cast<uint32_t>(std::clamp(std::ceil(still_ms), 1.0, double{kAttractPollMs}));
  }
  if (screen_ == Screen::kSetup) return kSetupFrameMs;
  bool animating =
      screen_ == Screen::kThankYou || screen_ == Screen::kPin ||
      (screen_ == Screen::kDashboard && worker_ != nullptr && worker_->export_state().running);
  return animating ? kAnimationFrameMs : kStaticFrameMs;
}

void KioskController::Go(Screen s) {
  if (worker_ != nullptr) worker_->SetActive(s == Screen::kDashboard);
  // The camera draws its setup view only while the screen is open; none of it is kept after.
  if ((s == Screen::kSetup) != (screen_ == Screen::kSetup) && ctx_.camera_setup_open) {
    ctx_.camera_setup_open(s == Screen::kSetup);
  }
  if (s != Screen::kSetup) {
    setup_view_ = CameraSetupView{};
    have_setup_view_ = false;
    setup_uploaded_frame_ = -1;
  }
  if (s != Screen::kDashboard) export_open_ = false;
  screen_ = s;
  screen_since_ms_ = NowMs();
}

void KioskController::OpenDashboardForTest() { Go(Screen::kDashboard); }

void KioskController::StartSession() {
  auto survey = ctx_.survey->Get();  // snapshot: a pushed survey applies to the next session
  std::string lang = language_;
  if (std::find(survey->languages.begin(), survey->languages.end(), lang) ==
      survey->languages.end()) {
    lang = survey->default_language();
  }
  session_ = std::make_unique<SurveySession>(std::move(survey), lang, NowMs());
  keyboard_index_ = -1;
  session_context_ = ctx_.crowd_context ? ctx_.crowd_context() : std::nullopt;
  presence_ = KioskPresenceCheck();
  presence_.Sample(session_context_);
  if (session_->total() == 0) {
    session_.reset();
    return;
  }
  Go(Screen::kQuestion);
}

void KioskController::Record(Event event, std::shared_ptr<SubmitState> state, bool is_feedback) {
  if (ctx_.store == nullptr) {
    if (state) state->state = 1;
    return;
  }
  UiProbe* probe = ctx_.probe;
  // Tap-to-durable starts at the finger release that submitted (pushed by the probe's driver),
  // so it includes waiting for the frame, the UI pass and the store's queue and commit.
  auto t0 = probe != nullptr ? probe->last_release() : std::chrono::steady_clock::now();
  auto queued = std::chrono::steady_clock::now();
  UiHealthState* health = ctx_.ui_health;
  ctx_.store->AppendAsync(std::move(event), [state, t0, queued, probe, health,
                                             is_feedback](const Result<uint64_t>& r) {
    if (r.ok()) {
      if (state) state->state = 1;
      if (probe != nullptr && is_feedback) {
        using Ms = std::chrono::duration<double, std::milli>;
        probe->AddTapToDurable(Ms(std::chrono::steady_clock::now() - t0).count(),
                               Ms(queued - t0).count());
      }
    } else {
      if (state) state->state = 2;
      std::fprintf(stderr, "touchpoint-ui: a shopper's %s could not be stored: %s\n",
                   is_feedback ? "feedback" : "abandoned session", r.status().ToString().c_str());
      if (health != nullptr) health->RecordStoreFailure(r.status().ToString());
    }
  });
}

void KioskController::SamplePresence() {
  if (ctx_.crowd_context && ctx_.require_person_at_kiosk) presence_.Sample(ctx_.crowd_context());
}

void KioskController::Submit() {
  int64_t now = NowMs();
  FeedbackPayload p = session_->ToFeedback(now);
  p.context = session_context_;
  std::string reason = spam_.Check(session_->start_mono_ms(), now, session_->total());
  if (ctx_.require_person_at_kiosk) {
    const std::string nobody = presence_.Reason();
    if (!nobody.empty()) reason = reason.empty() ? nobody : reason + "; " + nobody;
  }
  p.suspect = !reason.empty();
  p.suspect_reason = reason;
  spam_.RecordSubmitted(now);
  thank_you_lang_ = session_->language();
  thank_you_text_ =
      Tr(session_->survey().thank_you, thank_you_lang_, session_->survey().default_language());
  submit_ = std::make_shared<SubmitState>();
  Record(ctx_.stamper->Make(std::move(p)), submit_, true);
  session_.reset();
  Go(Screen::kThankYou);
}

void KioskController::Abandon() {
  if (!session_) return;
  FeedbackAbandonedPayload p = session_->ToAbandoned(NowMs());
  p.context = session_context_;
  Record(ctx_.stamper->Make(std::move(p)), nullptr, false);
  session_.reset();
}

void KioskController::Shutdown() {
  if (session_) Abandon();
  if (worker_ != nullptr) worker_->SetActive(false);
}

void KioskController::OpenPin(PinMode mode) {
  pin_mode_ = mode;
  pin_digits_.clear();
  pin_message_.clear();
  pin_message_error_ = false;
  if (mode == PinMode::kNewPin) pin_message_ = "Choose a new PIN of 4 to 8 digits";
  if (mode == PinMode::kUnlock && pin_ == nullptr && pin_opener_) {
    opened_pin_ = pin_opener_();
    pin_ = opened_pin_.get();
  }
  if (mode == PinMode::kUnlock && pin_ == nullptr) {
    pin_message_ = "Manager PIN unavailable (storage problem); try again later";
    pin_message_error_ = true;
  }
  Go(Screen::kPin);
}

void KioskController::HandlePin(const PinAction& a) {
  switch (a.kind) {
    case PinAction::kNone:
      return;
    case PinAction::kCancel:
      pin_digits_.clear();
      Go(pin_mode_ == PinMode::kUnlock ? Screen::kAttract : Screen::kDashboard);
      return;
    case PinAction::kDigit:
      if (static_cast<int>(pin_digits_.size()) < kMaxPinDigits) pin_digits_ += a.digit;
      return;
    case PinAction::kDelete:
      if (!pin_digits_.empty()) pin_digits_.pop_back();
      return;
    case PinAction::kEnter:
      break;
  }
  std::string entered = std::move(pin_digits_);
  pin_digits_.clear();
  if (pin_mode_ == PinMode::kUnlock) {
    if (pin_ == nullptr) return;
    ManagerPin::Check c = pin_->Verify(entered);
    if (c.outcome == ManagerPin::Outcome::kOk) {
      notice_.clear();
      Go(Screen::kDashboard);
    } else if (c.outcome == ManagerPin::Outcome::kWrong) {
      pin_message_ = "Wrong PIN · " + std::to_string(c.tries_left) + " tries left";
      pin_message_error_ = true;
    }  // locked out: the screen shows the countdown
    return;
  }
  if (pin_mode_ == PinMode::kNewPin) {
    if (!ManagerPin::IsValidPin(entered)) {
      pin_message_ = "A PIN has 4 to 8 digits";
      pin_message_error_ = true;
      return;
    }
    new_pin_ = entered;
    pin_mode_ = PinMode::kConfirmPin;
    pin_message_ = "Type the new PIN again";
    pin_message_error_ = false;
    return;
  }
  // kConfirmPin
  if (entered != new_pin_) {
    pin_mode_ = PinMode::kNewPin;
    pin_message_ = "The PINs did not match. Choose a new PIN";
    pin_message_error_ = true;
    return;
  }
  Status st = pin_ != nullptr ? pin_->Change(entered) : Status::Internal("no PIN store");
  notice_ = st.ok() ? "PIN changed" : "PIN not changed: " + st.ToString();
  new_pin_.clear();
  Go(Screen::kDashboard);
}

bool KioskController::RunFrame(const Frame& f, const PointerState& pointer, uint32_t ticks_ms,
                               bool had_input) {
  int64_t now = NowMs();
  if (had_input || pointer.down) last_input_ms_ = now;
  int64_t idle_ms = now - last_input_ms_;
  auto survey = ctx_.survey->Get();

  // Timeouts.
  switch (screen_) {
    case Screen::kQuestion:
      if (idle_ms >= static_cast<int64_t>(ctx_.ui->idle_timeout_s) * 1000) {
        Abandon();
        language_ = survey->default_language();
        Go(Screen::kAttract);
      }
      break;
    case Screen::kThankYou:
      if (now - screen_since_ms_ >= static_cast<int64_t>(ctx_.ui->thank_you_s) * 1000) {
        language_ = survey->default_language();
        Go(Screen::kAttract);
      }
      break;
    case Screen::kPin:
    case Screen::kDashboard:
    case Screen::kSetup:
      if (idle_ms >= static_cast<int64_t>(ctx_.ui->manager_timeout_s) * 1000 &&
          !(worker_ != nullptr && worker_->export_state().running)) {
        Go(Screen::kAttract);
      }
      break;
    case Screen::kAttract:
      break;
  }

  // The manager's gesture: a long press in the top-right corner of any shopper screen.
  if (screen_ == Screen::kAttract || screen_ == Screen::kQuestion || screen_ == Screen::kThankYou) {
    float corner = f.u * 12.0f;
    if (pointer.down && pointer.down_pos.x >= f.size.x - corner && pointer.down_pos.y <= corner &&
        pointer.pos.x >= f.size.x - corner * 1.5f && pointer.pos.y <= corner * 1.5f &&
        ticks_ms - pointer.down_since_ms >= static_cast<uint32_t>(ctx_.ui->long_press_ms)) {
      Abandon();
      OpenPin(PinMode::kUnlock);
    }
  }
  if (f.probe != nullptr) f.probe->BeginFrame(screen_name(), f.size.x, f.size.y);

  switch (screen_) {
    case Screen::kAttract: {
      AttractView v{Tr(survey->title, language_, survey->default_language()), language_,
                    survey->default_language(), survey->languages};
      // An atomic flag: the UI thread never waits on the store.
      v.cannot_save = ctx_.store != nullptr && ctx_.store->WritesFailing();
      AttractAction a = DrawAttractScreen(f, v);
      if (a.language) language_ = *a.language;
      if (a.start) StartSession();
      break;
    }
    case Screen::kQuestion: {
      if (session_->index() != keyboard_index_) {
        keyboard_ = KeyboardState::For(session_->text());
        keyboard_index_ = session_->index();
      }
      QuestionAction a =
          DrawQuestionScreen(f, *session_, session_->survey().default_language(), keyboard_);
      if (!a.keys.empty() && session_->current().type == QuestionType::kText) {
        std::string text = session_->text();
        bool changed = false;
        for (const KeyDef& k : a.keys) changed |= PressKey(k, &keyboard_, &text);
        keyboard_.last_key_s = f.time_s;
        if (changed) session_->SetText(std::move(text));
      }
      switch (a.kind) {
        case QuestionAction::kScore:
          session_->AnswerScore(a.score);
          SamplePresence();
          break;
        case QuestionAction::kToggleTag:
          session_->ToggleTag(a.tag);
          break;
        case QuestionAction::kNext:
          session_->Next();
          SamplePresence();
          break;
        case QuestionAction::kSkip:
          session_->Skip();
          break;
        case QuestionAction::kBack:
          session_->Back();
          break;
        case QuestionAction::kLanguage:
          session_->set_language(a.language);
          language_ = a.language;
          keyboard_.latin = false;  // the new language's own letters
          break;
        case QuestionAction::kNone:
          break;
      }
      if (session_->finished()) Submit();
      break;
    }
    case Screen::kThankYou: {
      ThankYouView v;
      v.message = thank_you_text_;
      v.language = thank_you_lang_;
      int st = submit_ ? submit_->state.load() : 1;
      v.save = st == 0 ? SaveState::kSaving : st == 1 ? SaveState::kSaved : SaveState::kFailed;
      v.progress = static_cast<float>(now - screen_since_ms_) /
                   static_cast<float>(std::max(1, ctx_.ui->thank_you_s) * 1000);
      if (DrawThankYouScreen(f, v) && now - screen_since_ms_ > 800) {
        language_ = survey->default_language();
        Go(Screen::kAttract);
      }
      break;
    }
    case Screen::kPin: {
      PinView v;
      v.heading = pin_mode_ == PinMode::kUnlock   ? "Manager PIN"
                  : pin_mode_ == PinMode::kNewPin ? "New PIN"
                                                  : "Repeat new PIN";
      v.digits_entered = static_cast<int>(pin_digits_.size());
      v.message = pin_message_;
      v.message_is_error = pin_message_error_;
      int64_t locked = (pin_ != nullptr && pin_mode_ == PinMode::kUnlock) ? pin_->LockedForMs() : 0;
      if (locked > 0) {
        v.locked = true;
        v.message_is_error = true;
        v.message =
            "Too many wrong PINs. Try again in " + std::to_string((locked + 999) / 1000) + " s";
      }
      HandlePin(DrawPinScreen(f, v));
      break;
    }
    case Screen::kDashboard: {
      DashboardView v;
      v.data = worker_ != nullptr ? worker_->Latest() : nullptr;
      v.survey = survey.get();
      v.kiosk_id = ctx_.kiosk->kiosk_id;
      v.store_id = ctx_.kiosk->store_id;
      v.software_version = ctx_.software_version;
      v.config_version = ctx_.config_version;
      if (worker_ != nullptr) v.export_state = worker_->export_state();
      v.export_open = export_open_;
      v.notice = notice_;
      v.now_ms = ctx_.stamper->clock().NowUtcMs();
      v.camera_setup = static_cast<bool>(ctx_.camera_setup_view);
      DashboardAction a = DrawDashboardScreen(f, v);
      switch (a.kind) {
        case DashboardAction::kClose:
          Go(Screen::kAttract);
          break;
        case DashboardAction::kExitKiosk:
          exit_ = true;
          break;
        case DashboardAction::kChangePin:
          OpenPin(PinMode::kNewPin);
          break;
        case DashboardAction::kToggleExport:
          export_open_ = !export_open_;
          break;
        case DashboardAction::kExport:
          if (worker_ != nullptr) worker_->RequestExport(a.folder);
          break;
        case DashboardAction::kCameraSetup:
          Go(Screen::kSetup);
          break;
        case DashboardAction::kNone:
          break;
      }
      break;
    }
    case Screen::kSetup: {
      if (ctx_.camera_setup_view) have_setup_view_ = ctx_.camera_setup_view(&setup_view_);
      if (have_setup_view_ && f.images != nullptr &&
          setup_view_.frame_index != setup_uploaded_frame_) {
        setup_texture_ =
            f.images->Upload(setup_view_.rgba.data(), setup_view_.width, setup_view_.height);
        setup_uploaded_frame_ = setup_view_.frame_index;
      }
      SetupScreenView v;
      v.view = have_setup_view_ ? &setup_view_ : nullptr;
      v.texture = have_setup_view_ ? setup_texture_ : nullptr;
      if (DrawSetupScreen(f, v)) Go(Screen::kDashboard);
      break;
    }
  }
  return !exit_;
}

}  // namespace touchpoint::ui
