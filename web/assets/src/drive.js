// Drive progressive enhancement.
//
// Every page works without JavaScript; this only enhances components that
// declare a data-module attribute. It is loaded as an ES module, so it runs
// only in browsers GOV.UK Frontend supports, and after the document is parsed.
// The build bundles it with its imports into one file because the asset
// server gives every file a content-hashed name.

import { createAll, initAll as initGOVUK } from 'govuk-frontend'
import {
  AddAnother,
  Alert,
  ButtonMenu,
  DatePicker,
  MultiSelect,
  PasswordReveal,
  SearchToggle,
  SortableTable
} from '@ministryofjustice/frontend'

// GOV.UK Frontend's components check for this class before initialising, and
// its Sass uses it to style components only when the JavaScript will run.
document.body.classList.add('govuk-frontend-supported')

initGOVUK()

// Only the MOJ components whose styles drive.scss includes.
for (const Component of [
  AddAnother,
  Alert,
  ButtonMenu,
  DatePicker,
  MultiSelect,
  PasswordReveal,
  SearchToggle,
  SortableTable
]) {
  createAll(Component)
}

// A page waiting on work in the background (an import's progress) marks
// its status with data-module="drive-refresh". Every few seconds the page
// is fetched again and the status's words replaced, so that a screen
// reader announces the change (the element is role="status"); once the
// work has finished the page is loaded whole, to show what it brought or
// its problems first. Without JavaScript the page has a link to look again.
for (const status of document.querySelectorAll('[data-module="drive-refresh"]')) {
  const wait = (Number(status.dataset.refreshSeconds) || 5) * 1000
  const look = async () => {
    try {
      const res = await fetch(window.location.href, { credentials: 'same-origin' })
      if (!res.ok) {
        return
      }
      const page = new DOMParser().parseFromString(await res.text(), 'text/html')
      const next = page.querySelector('[role="status"]')
      if (!next || next.dataset.module !== 'drive-refresh') {
        window.location.reload()
        return
      }
      const words = next.textContent.trim()
      if (status.textContent.trim() !== words) {
        status.textContent = words
      }
    } catch {
      // The server could not be reached this time: try again later.
    }
    window.setTimeout(look, wait)
  }
  window.setTimeout(look, wait)
}
