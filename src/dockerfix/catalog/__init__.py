"""The catalog: one module per failure class, named DFnnn_<the-failure>.py, registered here by hand.

`tests/unit/test_catalog.py` fails when a DF module is not in `MODULES`, when a rule lacks its explanation or
its corpus case, or when two rules share an id: a registry kept by hand must not silently drop a rule.
"""

from __future__ import annotations

from importlib import import_module

from dockerfix.catalog.rule import Rule

# Every rule module, one line each, in id order.
MODULES: tuple[str, ...] = (
    "DF001_copied_file_ignored",
    "DF002_installer_option_unknown",
    "DF003_lock_file_read_as_requirements",
    "DF004_uv_pip_without_virtualenv",
    "DF005_poetry_export_missing",
    "DF006_llvmlite_built_from_source",
    "DF007_wheel_paths_mismatch",
    "DF008_lock_file_stale",
    "DF009_lock_in_image",
    "DF010_user_install_without_home",
    "DF011_adduser_unknown_option",
    "DF012_cleanup_as_user",
    "DF013_cleanup_before_use",
    "DF014_scm_version_without_git",
    "DF015_pdm_lock_without_markers",
    "DF020_apt_package_unavailable",
    "DF021_apt_lists_missing",
    "DF022_apt_prompt_aborted",
    "DF023_pip_externally_managed",
    "DF024_pin_needs_other_python",
    "DF025_build_dependencies_missing",
    "DF026_poetry_root_not_installable",
    "DF027_copy_source_missing",
    "DF028_command_not_found",
    "DF029_readme_ignored",
    "DF030_hashes_required",
    "DF031_venv_moved",
    "DF032_pdm_unpinned",
    "DF033_pinned_version_not_found",
    "DF034_requirements_conflict",
    "DF035_platform_only_requirement",
    "DF036_sdist_fails_on_newer_python",
    "DF037_pipenv_python_mismatch",
    "DF039_stdlib_module_removed",
    "DF040_undeclared_import",
    "DF041_renamed_package",
    "DF042_incompatible_releases",
    "DF043_missing_shared_library",
    "DF044_executable_not_on_path",
    "DF045_runs_as_root",
    "DF046_home_not_writable",
    "DF047_application_error",
    "DF048_source_syntax_error",
    "DF049_run_file_missing",
    "DF050_imported_module_ignored",
    "DF051_dependencies_reinstalled_on_source_change",
    "DF052_compose_dependency_not_ready",
    "DF053_compose_localhost_between_services",
    "DF054_compose_command_tool_missing",
    "DF055_env_values_contradict",
    "DF056_compose_host_port_conflict",
    "DF057_source_only_in_volume",
    "DF058_app_folder_not_writable",
    "DF060_network_unreachable",
    "DF061_disk_full",
    "DF062_build_interrupted",
    "DF063_secret_in_image",
    "DF064_base_image_unreachable",
    "DF070_apt_release_end_of_life",
    "DF071_base_image_unavailable",
    "DF072_package_needs_other_runtime",
    "DF073_download_failed",
    "DF074_apt_repository_unsigned",
    "DF075_build_tool_too_new",
    "DF076_apk_package_unavailable",
    "DF077_os_package_unavailable",
    "DF078_build_arg_unset",
    "DF080_os_packages_conflict",
    "DF090_builder_predates_syntax",
)
RULES: tuple[Rule, ...] = tuple(import_module(f"{__name__}.{module}").RULE for module in MODULES)
BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
