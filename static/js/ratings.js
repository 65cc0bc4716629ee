/*
 * "How helpful is this page?": send the rating without leaving the page.
 *
 * Progressive enhancement: without this file the forms POST and the server
 * redirects back to the page. With it, the same forms are sent with fetch, the
 * summary and distribution are updated from the JSON answer, and the result is
 * announced in the block's aria-live status region.
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

  function announce(block, message) {
    var status = block.querySelector("[data-rating-status]");
    // Clear first so the same message twice is still announced.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
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
  }

  function updateSummary(block, data) {
    block.querySelector("[data-rating-average-line]").hidden = !data.count;
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

    ratingForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = ratingForm.querySelector("button[type=submit]");
      button.disabled = true;
      send(ratingForm)
        .then(function (result) {
          if (result.ok) {
            showRatingError(block, "");
            updateSummary(block, result.data);
            var message = result.data.message;
            if (result.data.show_feedback) {
              message += " You can tell us what was wrong with this page below.";
            }
            announce(block, message);
          } else {
            showRatingError(block, result.data.error || GENERIC_ERROR);
            announce(block, result.data.error || GENERIC_ERROR);
          }
        })
        .catch(function () {
          announce(block, GENERIC_ERROR);
        })
        .then(function () {
          button.disabled = false;
        });
    });

    if (feedbackForm) {
      feedbackForm.addEventListener("submit", function (event) {
        event.preventDefault();
        send(feedbackForm)
          .then(function (result) {
            if (result.ok) {
              block.querySelector("[data-rating-feedback]").hidden = true;
              feedbackForm.reset();
              announce(block, result.data.message);
            } else if (result.data.error) {
              announce(block, result.data.error);
            }
            if (!result.ok) {
              // Let the server show the full NHS.UK error page with the reader's answers kept.
              feedbackForm.submit();
            }
          })
          .catch(function () {
            feedbackForm.submit();
          });
      });
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-rating]"), enhance);
})();
