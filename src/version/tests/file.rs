//! Version files: where each kind keeps its version, the line it is on, and what is wrong.

use super::super::*;

fn found(name: &str, content: &str) -> (String, usize) {
    let got = read_version_file(name, content).unwrap_or_else(|e| panic!("{name}: {e} (line {:?})", e.line));
    (got.version, got.line)
}

fn error(name: &str, content: &str) -> (String, Option<usize>) {
    match read_version_file(name, content) {
        Ok(got) => panic!("{name}: read {got:?}"),
        Err(e) => (e.to_string(), e.line),
    }
}

#[test]
fn the_kind_is_chosen_by_the_last_component_of_the_name() {
    let cases = [
        ("Cargo.toml", VersionFileKind::CargoToml),
        ("crates/app/Cargo.toml", VersionFileKind::CargoToml),
        ("crates\\app\\Cargo.toml", VersionFileKind::CargoToml),
        ("web/package.json", VersionFileKind::PackageJson),
        ("pyproject.toml", VersionFileKind::PyProject),
        ("charts/app/Chart.yaml", VersionFileKind::ChartYaml),
        ("VERSION", VersionFileKind::Plain),
        ("version.txt", VersionFileKind::Plain),
        ("cargo.toml", VersionFileKind::Plain),
        ("Chart.yml", VersionFileKind::Plain),
        ("Cargo.toml/VERSION", VersionFileKind::Plain),
    ];
    for (name, kind) in cases {
        assert_eq!(VersionFileKind::from_file_name(name), kind, "{name}");
    }
}

#[test]
fn each_kind_finds_its_version_and_its_line() {
    let cases = [
        ("Cargo.toml", "[package]\nname = \"app\"\nversion = \"1.2.3\"\n", "1.2.3", 3),
        ("Cargo.toml", "[package]\nname = 'app'\nversion = '1.2.3-rc.1'\n", "1.2.3-rc.1", 3),
        ("Cargo.toml", "package = { name = \"app\", version = \"0.4.0\" }\n", "0.4.0", 1),
        ("Cargo.toml", "[workspace]\nmembers = [\"a\"]\n\n[workspace.package]\nversion = \"2.0.0\"\n", "2.0.0", 5),
        (
            "Cargo.toml",
            "[package]\nname = \"root\"\nversion.workspace = true\n\n[workspace.package]\nversion = \"3.1.0\"\n",
            "3.1.0",
            6,
        ),
        (
            "Cargo.toml",
            "[workspace.package]\nversion = \"3.1.0\"\n\n[package]\nname = \"root\"\nversion = \"0.9.0\"\n",
            "0.9.0",
            6,
        ),
        (
            "Cargo.toml",
            "[dependencies]\nserde = { version = \"1\" }\n[package]\nversion = \"\"\"\n1.0.0\"\"\"\n",
            "1.0.0",
            4,
        ),
        (
            "package.json",
            "{\n  \"name\": \"app\",\n  \"version\": \"1.2.3\",\n  \"deps\": {\"version\": \"9\"}\n}\n",
            "1.2.3",
            3,
        ),
        ("package.json", "{\"dependencies\": {\"version\": \"9.9.9\"},\n\"version\":\n  \"4.5.6\"}", "4.5.6", 3),
        ("package.json", "{\"name\": \"\\u00e9\", \"version\": \"1.0.0\"}", "1.0.0", 1),
        (
            "pyproject.toml",
            "[build-system]\nrequires = []\n\n[project]\nname = \"app\"\nversion = \"0.3.0\"\n",
            "0.3.0",
            6,
        ),
        ("pyproject.toml", "[tool.poetry]\nname = \"app\"\nversion = \"1.0.0a1\"\n", "1.0.0a1", 3),
        (
            "pyproject.toml",
            "[project]\nname = \"app\"\ndynamic = [\"version\"]\n\n[tool.poetry]\nversion = \"2.0.0\"\n",
            "2.0.0",
            6,
        ),
        ("Chart.yaml", "apiVersion: v2\nname: app\nappVersion: \"9.9.9\"\nversion: 0.5.1\n", "0.5.1", 4),
        ("Chart.yaml", "apiVersion: v2\nversion: \"1.20\"\n", "1.20", 2),
        ("Chart.yaml", "# comment\n---\nversion: '1.2.3' # the chart\n", "1.2.3", 3),
        ("Chart.yaml", "version:\n  1.2.3\n", "1.2.3", 2),
        ("VERSION", "1.2.3\n", "1.2.3", 1),
        ("VERSION", "\n\n  v1.2.3  \r\n\n", "v1.2.3", 3),
        ("VERSION", "\u{feff}1.2.3", "1.2.3", 1),
        ("Cargo.toml", "\u{feff}[package]\nversion = \"1.0.0\"", "1.0.0", 2),
    ];
    for (name, content, version, line) in cases {
        assert_eq!(found(name, content), (version.to_string(), line), "{name}: {content:?}");
    }
}

#[test]
fn each_problem_says_what_to_fix_and_where() {
    let cases: &[(&str, &str, &str, Option<usize>)] = &[
        // Cargo.toml
        (
            "Cargo.toml",
            "[package]\nname = \"app\"\nversion.workspace = true\n",
            "[package] version is inherited from the workspace (version.workspace = true); set version-file to the workspace root's Cargo.toml, which has [workspace.package] version",
            Some(3),
        ),
        (
            "Cargo.toml",
            "[package]\nname = \"app\"\nversion = { workspace = true }\n",
            "[package] version is inherited from the workspace (version.workspace = true); set version-file to the workspace root's Cargo.toml, which has [workspace.package] version",
            Some(3),
        ),
        (
            "Cargo.toml",
            "[package]\nname = \"app\"\n\n[package.metadata]\nversion = \"9.9.9\"\n",
            "[package] has no version (Cargo then uses 0.0.0); add version = \"x.y.z\"",
            Some(1),
        ),
        ("Cargo.toml", "[package]\nversion = 1\n", "[package] version must be a string such as \"1.2.3\", not an integer", Some(2)),
        ("Cargo.toml", "[package]\nversion = 1.2\n", "[package] version must be a string such as \"1.2.3\", not a float", Some(2)),
        ("Cargo.toml", "[package]\nversion = { x = 1 }\n", "[package] version must be a string such as \"1.2.3\", not a table", Some(2)),
        ("Cargo.toml", "package = \"app\"\n", "[package] must be a table, not a string", Some(1)),
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"a\"]\n",
            "this is a virtual workspace manifest and its [workspace.package] has no version; add version = \"x.y.z\" to [workspace.package], or set version-file to a member's Cargo.toml",
            None,
        ),
        (
            "Cargo.toml",
            "[workspace.package]\nversion = [1, 2, 3]\n",
            "[workspace.package] version must be a string such as \"1.2.3\", not an array",
            Some(2),
        ),
        ("Cargo.toml", "[dependencies]\nserde = \"1\"\n", "no [package] version or [workspace.package] version; is this the right Cargo.toml?", None),
        ("Cargo.toml", "", "no [package] version or [workspace.package] version; is this the right Cargo.toml?", None),
        ("Cargo.toml", "[package]\nversion = \"   \"\n", "the version is empty", Some(2)),
        ("Cargo.toml", "[package]\nname = \"app\"\nversion = \"1.0.0\n", "not valid TOML: invalid basic string, expected `\"`", Some(3)),
        ("Cargo.toml", "[package]\nversion = \"1\"\nversion = \"2\"\n", "not valid TOML: duplicate key", Some(3)),
        // pyproject.toml
        (
            "pyproject.toml",
            "[project]\nname = \"app\"\ndynamic = [\n  \"readme\",\n  \"version\",\n]\n",
            "the version is dynamic ([project] dynamic lists \"version\"): the build backend computes it, so pyproject.toml does not hold it; set version-file to the file it is read from (a plain VERSION file), or leave version-file unset",
            Some(5),
        ),
        (
            "pyproject.toml",
            "[build-system]\nrequires = []\n[project]\nname = \"app\"\n",
            "no [project] version (nor [tool.poetry] version); add version = \"x.y.z\" under [project]",
            Some(3),
        ),
        (
            "pyproject.toml",
            "[tool.black]\nline-length = 100\n",
            "no [project] version (nor [tool.poetry] version); add version = \"x.y.z\" under [project]",
            None,
        ),
        ("pyproject.toml", "[project]\nversion = false\n", "[project] version must be a string such as \"1.2.3\", not a boolean", Some(2)),
        ("pyproject.toml", "[tool.poetry]\nversion = 2024-01-01\n", "[tool.poetry] version must be a string such as \"1.2.3\", not a datetime", Some(2)),
        // package.json
        ("package.json", "{\n  \"name\": \"app\"\n}\n", "no top-level \"version\"; add \"version\": \"x.y.z\"", None),
        ("package.json", "{\n  \"name\": \"app\",\n  \"version\": 1\n}\n", "\"version\" must be a string such as \"1.2.3\", not a number", Some(3)),
        ("package.json", "{\n  \"version\": null\n}\n", "\"version\" must be a string such as \"1.2.3\", not null", Some(2)),
        ("package.json", "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\",\n}\n", "not valid JSON: trailing comma", Some(4)),
        ("package.json", "[\"1.0.0\"]", "the top level is not a JSON object; package.json starts with \"{\"", None),
        ("package.json", "", "the top level is not a JSON object; package.json starts with \"{\"", None),
        ("package.json", "{\"version\": \"1\", \"version\": \"2\"}", "not valid JSON: duplicate field `version`", Some(1)),
        ("package.json", "{\n\"version\": \"\"}", "the version is empty", Some(2)),
        // Chart.yaml
        (
            "Chart.yaml",
            "apiVersion: v2\nname: app\nappVersion: 1.2.3\n",
            "no \"version\"; Helm requires one (appVersion is the version of the application; the guard checks the chart's own version)",
            None,
        ),
        ("Chart.yaml", "apiVersion: v2\nname: app\n", "no \"version\"; Helm requires one", None),
        ("Chart.yaml", "name: app\nversion:\n  - 1.2.3\n", "version must be a string such as \"1.2.3\"", Some(3)),
        ("Chart.yaml", "name: app\nversion: 1.0.0\nversion: 1.0.1\n", "the key \"version\" appears twice", Some(3)),
        ("Chart.yaml", "- 1.2.3\n", "the top level is not a mapping of keys to values", Some(1)),
        ("Chart.yaml", "name: app\nversion: \"1.0.0\n", "not valid YAML: while scanning a quoted scalar, found unexpected end of stream", Some(2)),
        ("Chart.yaml", "name: app\nversion:\n", "the version is empty", Some(2)),
        // VERSION
        ("VERSION", "", "the file is empty; it should hold just the version, e.g. 1.2.3", None),
        ("VERSION", " \n\t\n", "the file is empty; it should hold just the version, e.g. 1.2.3", None),
        ("VERSION", "1.2.3\n\n# next\n1.2.4\n", "the file has 3 non-empty lines; it should hold just the version, on one line", Some(3)),
    ];
    for (name, content, message, line) in cases {
        assert_eq!(error(name, content), (message.to_string(), *line), "{name}: {content:?}");
    }
}

#[test]
fn a_chart_nested_100000_levels_deep_is_refused_before_it_is_loaded() {
    let block = format!("version: 1.2.3\nx:\n  {}y\n", "- ".repeat(100_000));
    assert_eq!(
        error("Chart.yaml", &block),
        (
            "the YAML nests more than 128 levels deep (at column 257); a Chart.yaml never does: is this the right file?"
                .to_string(),
            Some(3)
        )
    );
    let flow = format!("version: 1.2.3\nx: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(error("Chart.yaml", &flow), ("not valid YAML: recursion limit exceeded".to_string(), Some(2)));
}

#[test]
fn toml_nested_100000_levels_deep_is_refused_without_recursion() {
    let deep = "cannot recurse further; max recursion depth met";
    let arrays = format!("[package]\nversion = \"1.0.0\"\nx = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(error("Cargo.toml", &arrays), (format!("not valid TOML: {deep}"), Some(3)));
    let tables = format!("[project]\nversion = \"1.0.0\"\nx = {}1{}\n", "{a = ".repeat(100_000), "}".repeat(100_000));
    assert_eq!(error("pyproject.toml", &tables), (format!("not valid TOML: {deep}"), Some(3)));
}

#[test]
fn a_version_file_of_one_huge_line_or_a_forged_command_gives_one_short_line() {
    let huge = format!("1.2.3-{}\n", "a".repeat(100_000_000));
    let version = read_version_file("VERSION", &huge).unwrap().version;
    let e = parse_tag(&format!("v{version}"), "v").unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "tag \"v1.2.3-{}…\" (100000007 characters): it is 100000007 bytes long; git stores a tag as a file, whose name is at most 255 bytes",
            "a".repeat(73)
        )
    );
    assert_eq!(
        error("VERSION", "1.2.3\n::error::x\n"),
        ("the file has 2 non-empty lines; it should hold just the version, on one line".to_string(), Some(2))
    );
    let carriage = read_version_file("VERSION", "1.2.3\r::error::x").unwrap().version;
    assert_eq!(
        parse_tag(&format!("v{carriage}"), "v").unwrap_err().to_string(),
        "tag \"v1.2.3\\r::error::x\": a carriage return (U+000D) at position 7; a tag cannot contain whitespace or control characters"
    );
    let repeated =
        format!("version: 1\n\"k\\n::error::{}\": 1\n\"k\\n::error::{}\": 2\n", "y".repeat(500), "y".repeat(500));
    assert_eq!(
        error("Chart.yaml", &repeated),
        (format!("the key \"k\\n::error::{}…\" (511 characters) appears twice", "y".repeat(69)), Some(3))
    );
}
