package auth

import (
	"fmt"
	"strings"

	"rsc.io/qr"
)

// QR rendering constants. Four modules of quiet zone is what the QR
// standard asks for; without it phone cameras often fail to find the code on
// a busy page. Six pixels a module gives a code of about 250 pixels for a
// provisioning URI, easy to scan from a laptop screen.
const (
	qrQuietZone    = 4
	qrPixelsModule = 6
	qrLabel        = "QR code for setting up an authenticator app"
)

// QRCodeSVG encodes text (normally a ProvisioningURI) as a QR code at error
// correction level M and returns it as an SVG document to inline in an HTML
// page. The SVG is made for a strict Content-Security-Policy: no script, no
// style attribute or element, no external references; colours are given as
// presentation attributes. It has role="img", an aria-label and a <title>
// for screen readers, and width and height attributes. The label is fixed
// and never contains text, because text is usually a secret; show the
// secret beside the code for people who cannot scan it.
//
// It returns a plain error if text is too long for a QR code.
func QRCodeSVG(text string) (string, error) {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return "", fmt.Errorf("auth: qr code: %w", err)
	}
	n := code.Size + 2*qrQuietZone
	px := n * qrPixelsModule

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" shape-rendering="crispEdges">`,
		n, n, px, px, qrLabel)
	fmt.Fprintf(&b, `<title>%s</title>`, qrLabel)
	// The light background is part of the code: on a dark page the quiet
	// zone must still be light for a camera to read it.
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`, n, n)
	b.WriteString(`<path fill="#000000" d="`)
	// One rectangle per horizontal run of dark modules keeps the path short.
	for y := 0; y < code.Size; y++ {
		for x := 0; x < code.Size; {
			if !code.Black(x, y) {
				x++
				continue
			}
			run := 1
			for x+run < code.Size && code.Black(x+run, y) {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x+qrQuietZone, y+qrQuietZone, run, run)
			x += run
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String(), nil
}
