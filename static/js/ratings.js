/*
 * "How helpful is this page?": send the rating without leaving the page.
 *
 * Progressive enhancement: without this file the forms POST and the server
 * redirects back to the page. With it, the same forms are sent with fetch, the
 * summary and distribution are updated from the JSON answer, and the result is
 * shown, and announced once, in the block's confirmation region (a live region). Focus
 * stays in the block; a problem with an answer is shown at the question, which takes focus.
 */
(function () {
  "use strict";

  var GENERIC_ERROR = "Sorry, there is a problem with the service. Try again later.";

  function send(form) {
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      // A signed-in reader's CSRF token, if any, is in the form's body; the browser's
      // Sec-Fetch-Site header does the rest (dystonia_portal/csrf.py).
      headers: { Accept: "application/json" },
    }).then(function (response) {
      return response.json().then(
        function (data) {
          return { ok: response.ok, data: data };
        },
        function () {
          return { ok: false, data: { error: GENERIC_ERROR } };
        }
      );
    });
  }

  // The block's confirmation region (templates/components/confirmation.html) is a live
  // region that is always in the page, so writing into it is announced, once.
  function confirmInPlace(block, message, isError) {
    var region = block.querySelector("[data-confirmation]");
    region.textContent = "";
    window.setTimeout(function () {
      var body = document.createElement("div");
      body.className = "nhsuk-inset-text app-confirmation__body" + (isError ? " app-confirmation__body--error" : "");
      var hidden = document.createElement("span");
      hidden.className = "nhsuk-u-visually-hidden";
      hidden.textContent = isError ? "Error: " : "Success: ";
      var text = document.createElement("p");
      text.textContent = message;
      body.appendChild(hidden);
      body.appendChild(text);
      region.appendChild(body);
    }, 50);
  }

  function clearConfirmation(block) {
    block.querySelector("[data-confirmation]").textContent = "";
  }

  function describedBy(element, id, on) {
    var ids = (element.getAttribute("aria-describedby") || "").split(" ").filter(function (value) {
      return value && value !== id;
    });
    if (on) {
      ids.push(id);
    }
    if (ids.length) {
      element.setAttribute("aria-describedby", ids.join(" "));
    } else {
      element.removeAttribute("aria-describedby");
    }
  }

  function setText(block, selector, text) {
    var element = block.querySelector(selector);
    if (element) {
      element.textContent = text;
    }
  }

  function swapModifier(element, prefix, value) {
    Array.prototype.slice.call(element.classList).forEach(function (name) {
      if (name.indexOf(prefix) === 0) {
        element.classList.remove(name);
      }
    });
    element.classList.add(prefix + value);
  }

  function showRatingError(block, message) {
    var group = block.querySelector("[data-rating-group]");
    var error = block.querySelector("[data-rating-error]");
    group.classList.toggle("nhsuk-form-group--error", Boolean(message));
    error.hidden = !message;
    setText(block, "[data-rating-error-text]", message || "");
    describedBy(group.querySelector("fieldset"), error.id, Boolean(message));
  }

  // Focus the field with the problem, and show its whole question (legend, error and all) in view.
  function focusQuestion(group, field) {
    field.focus({ preventScroll: true });
    group.scrollIntoView({ block: "start" });
  }

  // A field's errors from the JSON answer, in place, as the page shows them without JavaScript.
  function showFeedbackErrors(form, errors) {
    var first = null;
    Array.prototype.forEach.call(form.querySelectorAll("[data-rating-feedback-group]"), function (group) {
      var name = group.getAttribute("data-rating-feedback-group");
      var messages = (errors[name] || []).slice();
      if (name === "reason" && errors.__all__) {
        messages = errors.__all__.concat(messages);
      }
      var error = group.querySelector("[data-rating-feedback-error]");
      var field = name === "reason" ? group.querySelector("fieldset") : group.querySelector("textarea");
      group.classList.toggle("nhsuk-form-group--error", messages.length > 0);
      error.hidden = !messages.length;
      error.querySelector("[data-rating-feedback-error-text]").textContent = messages.join(" ");
      describedBy(field, error.id, messages.length > 0);
      if (name === "details") {
        field.classList.toggle("nhsuk-textarea--error", messages.length > 0);
      }
      if (messages.length && !first) {
        first = { group: group, field: name === "reason" ? group.querySelector("input[type=radio]") : field };
      }
    });
    return first;
  }

  function updateSummary(block, data) {
    block.querySelector("[data-rating-average-line]").hidden = !data.count;
    block.querySelector("[data-rating-distribution]").hidden = !data.count;
    setText(block, "[data-rating-average]", data.average_text);
    swapModifier(block.querySelector("[data-rating-stars]"), "app-stars--", data.stars);
    setText(block, "[data-rating-count]", data.count_text);
    setText(block, "[data-rating-since]", data.since_text);
    data.rows.forEach(function (row) {
      var item = block.querySelector('[data-rating-row="' + row.stars + '"]');
      setText(item, "[data-rating-row-count]", String(row.count));
      setText(item, "[data-rating-row-noun]", " " + row.noun);
      swapModifier(item.querySelector("[data-rating-bar]"), "app-rating-bar__fill--", row.width);
    });
    if (data.score) {
      setText(
        block,
        "[data-rating-own]",
        "You gave this page " + data.score + " star" + (data.score === 1 ? "" : "s") + ". You can change your rating."
      );
    }
    var feedback = block.querySelector("[data-rating-feedback]");
    if (feedback && data.score) {
      feedback.hidden = !data.show_feedback;
    }
  }

  function enhance(block) {
    var ratingForm = block.querySelector("[data-rating-form]");
    var feedbackForm = block.querySelector("[data-rating-feedback-form]");
    if (!ratingForm || !window.fetch || !window.FormData || block.hasAttribute("data-rating-enhanced")) {
      return;
    }
    // The block includes this script; a page with two blocks must not bind twice.
    block.setAttribute("data-rating-enhanced", "");

    var sending = false;
    ratingForm.addEventListener("submit", function (event) {
      event.preventDefault();
      // Not disabling the button: focus stays on it, in the block, while the answer comes.
      if (sending) {
        return;
      }
      sending = true;
      send(ratingForm)
        .then(function (result) {
          if (result.ok) {
            showRatingError(block, "");
            updateSummary(block, result.data);
            var message = result.data.message;
            if (result.data.show_feedback) {
              message += " You can tell us what was wrong with this page below.";
            }
            confirmInPlace(block, message, false);
          } else if (result.data.errors) {
            // A problem with the answer: said once, at the question, which takes focus.
            clearConfirmation(block);
            showRatingError(block, result.data.error);
            focusQuestion(block.querySelector("[data-rating-group]"), ratingForm.querySelector("input[type=radio]"));
          } else {
            // Too many ratings, or the page has gone: said once, beside the form.
            showRatingError(block, "");
            confirmInPlace(block, result.data.error || GENERIC_ERROR, true);
          }
        })
        .catch(function () {
          confirmInPlace(block, GENERIC_ERROR, true);
        })
        .then(function () {
          sending = false;
        });
    });

    if (feedbackForm) {
      feedbackForm.addEventListener("submit", function (event) {
        event.preventDefault();
        send(feedbackForm)
          .then(function (result) {
            if (result.ok) {
              showFeedbackErrors(feedbackForm, {});
              feedbackForm.reset();
              block.querySelector("[data-rating-feedback]").hidden = true;
              // The form has gone: focus moves to the confirmation, still in the block.
              block.querySelector("[data-confirmation]").focus();
              confirmInPlace(block, result.data.message, false);
            } else if (result.data.errors) {
              clearConfirmation(block);
              var first = showFeedbackErrors(feedbackForm, result.data.errors);
              if (first) {
                focusQuestion(first.group, first.field);
              }
            } else {
              confirmInPlace(block, result.data.error || GENERIC_ERROR, true);
            }
          })
          .catch(function () {
            confirmInPlace(block, GENERIC_ERROR, true);
          });
      });
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-rating]"), enhance);
})();
