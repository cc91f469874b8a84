package web

import (
	"reflect"
	"testing"

	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/service"
)

// TestCaseDataHoldsTheCaseView: the pages of a case read the case view's
// fields from caseData, which copies them rather than embedding the view.
// A field added to the view must be copied too, or a template that reads
// it fails when the page is served.
func TestCaseDataHoldsTheCaseView(t *testing.T) {
	view := reflect.TypeFor[service.CaseView]()
	data := reflect.TypeFor[caseData]()
	// Every field set to a value that is not its zero, so a field left
	// out of the copy shows.
	v := reflect.New(view).Elem()
	for i := range view.NumField() {
		f := view.Field(i)
		df, ok := data.FieldByName(f.Name)
		if !ok || len(df.Index) != 1 || df.Type != f.Type {
			t.Errorf("caseData has no field %s %s of its own", f.Name, f.Type)
			continue
		}
		switch f.Type.Kind() {
		case reflect.Pointer:
			v.Field(i).Set(reflect.New(f.Type.Elem()))
		case reflect.Slice:
			v.Field(i).Set(reflect.MakeSlice(f.Type, 1, 1))
		case reflect.Map:
			v.Field(i).Set(reflect.MakeMap(f.Type))
		case reflect.Bool:
			v.Field(i).SetBool(true)
		case reflect.String:
			v.Field(i).SetString("x")
		}
	}
	cv := v.Addr().Interface().(*service.CaseView)
	if cv.Case == nil {
		cv.Case = &casework.Case{}
	}
	d := reflect.ValueOf(caseOnly(cv))
	for i := range view.NumField() {
		f := view.Field(i)
		if !v.Field(i).IsZero() && d.FieldByName(f.Name).IsZero() {
			t.Errorf("caseOnly does not copy the case view's %s", f.Name)
		}
	}
}
