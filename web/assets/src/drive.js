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
