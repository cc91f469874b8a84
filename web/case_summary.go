package web

import "net/http"

// caseSummaryPDF downloads a case's printable summary: the case page as
// the reader sees it, as a PDF (service.CaseSummaryPDF), audited as an
// export.
func (s *Server) caseSummaryPDF(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "case")
	if err != nil {
		return err
	}
	b, name, err := s.svc.CaseSummaryPDF(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return serveDownload(w, "application/pdf", name, b)
}
