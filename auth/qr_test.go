package auth

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"

	"rsc.io/qr"
)

func TestQRCodeSVG(t *testing.T) {
	for _, text := range []string{
		ProvisioningURI("Drive", "jane.smith@example.org", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
		"1",
		"HELLO WORLD",
		"ünïcödé & <markup> \"quotes\"",
		strings.Repeat("x", 1000),
	} {
		svg, err := QRCodeSVG(text)
		if err != nil {
			t.Fatalf("QRCodeSVG(%.20q): %v", text, err)
		}
		checkSVG(t, svg, text)
	}
}

func TestQRCodeSVGTooLong(t *testing.T) {
	if _, err := QRCodeSVG(strings.Repeat("x", 5000)); err == nil {
		t.Fatal("QRCodeSVG of 5000 bytes: no error")
	}
}

// checkSVG parses svg as XML, checks it is safe to inline under a strict
// CSP and accessible, and that its path draws exactly the modules of the QR
// code for text, inside a quiet zone.
func checkSVG(t *testing.T, svg, text string) {
	t.Helper()
	lower := strings.ToLower(svg)
	for _, bad := range []string{"<script", "style", "href", "on", "url(", "<image", "<foreignobject", "<use"} {
		if bad == "on" {
			// Event handler attributes: " on...=".
			for _, f := range strings.Fields(lower) {
				if strings.HasPrefix(f, "on") && strings.Contains(f, "=") {
					t.Fatalf("svg has an event handler attribute %q", f)
				}
			}
			continue
		}
		if strings.Contains(lower, bad) {
			t.Fatalf("svg contains %q", bad)
		}
	}
	if strings.Count(lower, "http") != 1 || !strings.Contains(svg, `xmlns="http://www.w3.org/2000/svg"`) {
		t.Fatal("svg refers to a URL other than its namespace")
	}
	if len(text) > 24 && strings.Contains(svg, text) {
		t.Fatal("svg quotes the encoded text")
	}

	type elem struct {
		name  string
		attrs map[string]string
		text  string
	}
	var elems []elem
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("svg is not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			a := map[string]string{}
			for _, at := range tok.Attr {
				a[at.Name.Local] = at.Value
			}
			elems = append(elems, elem{name: tok.Name.Local, attrs: a})
		case xml.CharData:
			if len(elems) > 0 {
				elems[len(elems)-1].text += string(tok)
			}
		}
	}
	if len(elems) != 4 || elems[0].name != "svg" || elems[1].name != "title" || elems[2].name != "rect" || elems[3].name != "path" {
		t.Fatalf("elements %v, want svg, title, rect, path", elems)
	}
	root := elems[0].attrs
	if root["role"] != "img" || root["aria-label"] == "" || elems[1].text != root["aria-label"] {
		t.Fatalf("svg accessibility attributes %v, title %q", root, elems[1].text)
	}

	code, err := qr.Encode(text, qr.M)
	if err != nil {
		t.Fatal(err)
	}
	n := code.Size + 2*qrQuietZone
	if root["viewBox"] != fmt.Sprintf("0 0 %d %d", n, n) {
		t.Fatalf("viewBox %q, want 0 0 %d %d", root["viewBox"], n, n)
	}
	if px := fmt.Sprint(n * qrPixelsModule); root["width"] != px || root["height"] != px {
		t.Fatalf("width, height = %q, %q; want %s", root["width"], root["height"], px)
	}
	if r := elems[2].attrs; r["width"] != fmt.Sprint(n) || r["height"] != fmt.Sprint(n) || r["fill"] != "#ffffff" {
		t.Fatalf("background rect %v", r)
	}

	// Replay the path onto a grid.
	grid := make([][]bool, n)
	for i := range grid {
		grid[i] = make([]bool, n)
	}
	d := elems[3].attrs["d"]
	for _, cmd := range strings.Split(strings.TrimSuffix(d, "z"), "z") {
		var x, y, w, w2 int
		if _, err := fmt.Sscanf(cmd, "M%d %dh%dv1h-%d", &x, &y, &w, &w2); err != nil || w != w2 || w < 1 {
			t.Fatalf("path command %q: %v", cmd, err)
		}
		for i := x; i < x+w; i++ {
			if i >= n || y >= n || grid[y][i] {
				t.Fatalf("path command %q overlaps or leaves the image", cmd)
			}
			grid[y][i] = true
		}
	}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			want := code.Black(x-qrQuietZone, y-qrQuietZone)
			if grid[y][x] != want {
				t.Fatalf("module (%d, %d) dark = %v, want %v", x, y, grid[y][x], want)
			}
		}
	}
}
