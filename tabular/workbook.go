package tabular

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/drive-platform/drive"
)

// openWorkbook reads an .xlsx: the named worksheet, or the first. Cells
// are read as Excel shows them, except that dates in the short date format
// come as YYYY-MM-DD rather than in the workbook's locale, so a day and a
// month are never swapped. Trailing empty cells are dropped and rows that
// are wholly empty skipped, as a CSV saved from the sheet would have them.
func openWorkbook(in io.Reader, sheet string, unpacked int64) (*Reader, error) {
	data, err := io.ReadAll(io.LimitReader(in, MaxWorkbookSize+1))
	if err != nil {
		return nil, drive.Wrap(err, drive.EINVALID, "The workbook could not be read")
	}
	if len(data) > MaxWorkbookSize {
		return nil, drive.Errorf(drive.EINVALID, "The workbook is larger than %d MB: save its sheet as CSV and import that", MaxWorkbookSize>>20)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: unpacked, UnzipXMLSizeLimit: min(unpacked, 16<<20), ShortDatePattern: "yyyy-mm-dd",
	})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size exceeds") {
			return nil, drive.Errorf(drive.EINVALID, "The workbook unpacks to more than %d MB: it cannot be read", unpacked>>20)
		}
		return nil, drive.Errorf(drive.EINVALID, "The file looks like a workbook but is not a readable .xlsx: save it again from Excel, or as CSV")
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, drive.Errorf(drive.EINVALID, "The workbook has no worksheet")
	}
	name := sheets[0]
	if sheet != "" {
		name = ""
		for _, s := range sheets {
			if strings.EqualFold(s, strings.TrimSpace(sheet)) {
				name = s
			}
		}
		if name == "" {
			f.Close()
			return nil, drive.Errorf(drive.EINVALID, "The workbook has no worksheet named %q: it has %s", sheet, strings.Join(sheets, ", "))
		}
	}
	rows, err := f.Rows(name)
	if err != nil {
		f.Close()
		return nil, drive.Wrap(err, drive.EINVALID, "The worksheet could not be read")
	}
	r := &Reader{Info: Info{Format: FormatXLSX, Sheet: name}}
	line := 0
	r.next = func() ([]string, int, error) {
		for rows.Next() {
			line++
			cells, err := rows.Columns()
			if err != nil {
				return nil, line, &LineError{line, fmt.Sprintf("the row could not be read: %v", err)}
			}
			for len(cells) > 0 && strings.TrimSpace(cells[len(cells)-1]) == "" {
				cells = cells[:len(cells)-1]
			}
			if len(cells) == 0 {
				continue
			}
			return cells, line, nil
		}
		if err := rows.Error(); err != nil {
			return nil, line, drive.Wrap(err, drive.EINVALID, "The worksheet could not be read to the end")
		}
		return nil, 0, io.EOF
	}
	r.done = func() error {
		rows.Close()
		return f.Close()
	}
	return r, nil
}
