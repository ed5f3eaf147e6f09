"""tablet_lending's use cases: each loads through the repositories, asks domain/ for the decision
and commits it in one transaction (`@transactional`, services.common.usecases)."""
