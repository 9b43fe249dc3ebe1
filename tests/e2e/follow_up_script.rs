use std::process::Command;

use serde_json::json;
use uuid::Uuid;

use crate::helpers::{data, spawn};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../infra/scripts/follow_up_csv.py");
const HEADER: &str =
    "section,id,title,role,status,programme,period_start,period_end,date,currency,budget,grant,co_financing,note";

fn run(url: &str, token: Option<&str>, args: &[&str]) -> (bool, String, String) {
    let mut command = Command::new("python3");
    command
        .arg(SCRIPT)
        .args(["--url", url])
        .args(args)
        .env_remove("SAMVERKAN_TOKEN");
    if let Some(t) = token {
        // Through the environment, as a scheduled job would (`--token` also works).
        command.env("SAMVERKAN_TOKEN", t);
    }
    let out = command.output().expect("python3 runs (it exists on the CI machine)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_follow_up_script_prints_the_yearly_report_as_csv() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = spawn(dir.path(), &["--demo"]);

    // The report needs a token: any role may read it (here a reader of Lidköping).
    let (ok, _, err) = run(&server.url, None, &["--municipality", "SE-1494", "--year", "2025"]);
    assert!(!ok);
    assert!(err.contains("UNAUTHENTICATED"), "{err}");
    let reader = server.token("reader", Some("SE-1494"));
    let (ok, csv, err) = run(
        &server.url,
        Some(&reader),
        &["--municipality", "SE-1494", "--year", "2025"],
    );
    assert!(ok, "{err}");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.first().copied(), Some(HEADER));
    assert!(lines.len() >= 2, "at least one row: {csv}");

    // Two more projects of Lidköping in 2025, fetched one per request: the
    // script follows the cursors and prints exact decimal amounts.
    for (title, budget) in [("Testprojekt A", "3000000000"), ("Testprojekt B", "123456789")] {
        let r = server
            .gql(
                r#"mutation($id: UUID!, $title: String!, $budget: MinorUnits!) { registerProject(commandId: $id, input: {
                    title: $title, lead: {municipality: "SE-1494"}, programme: {kind: ERASMUS_PLUS, name: "Erasmus+"},
                    financing: {budget: {amountMinor: $budget, currency: EUR}, grant: {amountMinor: 0, currency: EUR}, coFinancing: {amountMinor: 0, currency: EUR}},
                    period: {start: "2025-03-01", end: "2026-02-28"}}) { position } }"#,
                json!({ "id": Uuid::new_v4(), "title": title, "budget": budget }),
            )
            .await;
        data(&r);
    }
    let officer = server.token("officer", Some("SE-1494"));
    let (ok, csv, err) = run(
        &server.url,
        None,
        &[
            "--token",
            &officer,
            "--municipality",
            "SE-1494",
            "--year",
            "2025",
            "--page-size",
            "1",
        ],
    );
    assert!(ok, "{err}");
    let projects: Vec<&str> = csv.lines().filter(|l| l.starts_with("project,")).collect();
    assert!(projects.len() >= 2, "{csv}");
    assert!(
        projects.iter().any(|l| l.contains(
            ",Testprojekt A,lead,active,ERASMUS_PLUS: Erasmus+,2025-03-01,2026-02-28,,EUR,30000000.00,0.00,0.00,"
        )),
        "{csv}"
    );
    assert!(
        projects
            .iter()
            .any(|l| l.contains(",Testprojekt B,") && l.contains(",1234567.89,")),
        "{csv}"
    );

    // As of a date before the demo was loaded nothing existed yet.
    let (ok, _, err) = run(
        &server.url,
        Some(&reader),
        &[
            "--municipality",
            "SE-1494",
            "--year",
            "2025",
            "--as-of",
            "2000-01-01T00:00:00Z",
        ],
    );
    assert!(!ok);
    assert!(err.contains("NOT_FOUND"), "{err}");

    let (ok, _, err) = run(
        &server.url,
        Some(&reader),
        &["--municipality", "SE-14", "--year", "2025"],
    );
    assert!(!ok);
    assert!(err.contains("VALIDATION/invalid_municipality_code"), "{err}");
    assert!(server.terminate().success());
}

#[tokio::test]
async fn the_follow_up_script_neutralises_cells_a_spreadsheet_would_read_as_formulas() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = spawn(dir.path(), &["--demo"]);

    // Titles are free text: whoever may register a project can write one
    // that a spreadsheet program would run as a formula.
    let titles = [
        r#"=HYPERLINK("https://example.invalid/x","klicka här")"#,
        "+1",
        "-2+3",
        "@SUM(A1:A9)",
    ];
    for title in titles {
        let r = server
            .gql(
                r#"mutation($id: UUID!, $title: String!) { registerProject(commandId: $id, input: {
                    title: $title, lead: {municipality: "SE-1494"}, programme: {kind: ERASMUS_PLUS, name: "=1+1"},
                    financing: {budget: {amountMinor: 150050, currency: EUR}, grant: {amountMinor: 0, currency: EUR}, coFinancing: {amountMinor: 0, currency: EUR}},
                    period: {start: "2025-03-01", end: "2026-02-28"}}) { position } }"#,
                json!({ "id": Uuid::new_v4(), "title": title }),
            )
            .await;
        data(&r);
    }
    let reader = server.token("reader", Some("SE-1494"));
    let (ok, csv, err) = run(
        &server.url,
        Some(&reader),
        &["--municipality", "SE-1494", "--year", "2025"],
    );
    assert!(ok, "{err}");
    let projects: Vec<&str> = csv.lines().filter(|l| l.starts_with("project,")).collect();
    // Each title is written with a leading quote (the CSV quoting of `"` and
    // `,` is the csv module's); the programme name too; the amounts stay numbers.
    for cell in [
        r#","'=HYPERLINK(""https://example.invalid/x"",""klicka här"")",lead,active,ERASMUS_PLUS: =1+1,"#,
        ",'+1,lead,",
        ",'-2+3,lead,",
        ",'@SUM(A1:A9),lead,",
    ] {
        let line = projects
            .iter()
            .find(|l| l.contains(cell))
            .unwrap_or_else(|| panic!("no project row with {cell}:\n{csv}"));
        assert!(line.contains(",EUR,1500.50,0.00,0.00,"), "{line}");
    }
    for line in csv.lines() {
        for field in line.split(',') {
            let field = field.trim_start_matches('"');
            assert!(
                !field.starts_with(['=', '+', '@']),
                "a cell starts a formula: {field} in {line}"
            );
        }
    }
    assert!(server.terminate().success());
}
