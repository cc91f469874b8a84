-- The case page lists the site's case managers for its allocation form:
-- find a role's holders at a site without reading every assignment.
CREATE INDEX role_assignments_site_role ON role_assignments (site_id, role);
