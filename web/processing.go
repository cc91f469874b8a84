package web

import "net/http"

// recordsOfProcessing shows the record of processing and the DPIA outline
// (service.RecordsOfProcessing).
func (s *Server) recordsOfProcessing(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.svc.RecordsOfProcessing(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "records-of-processing", s.page(r, "Records of processing", rec))
}
