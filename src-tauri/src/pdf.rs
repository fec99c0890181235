//! Saving what the window shows as a PDF (the printed patient guide): the web view prints
//! itself to a file through WebKitGTK's print operation, without a dialog, so the page's print
//! CSS applies exactly as on paper (A4). The file goes to the user's Documents folder (else
//! Downloads, else home) under a name the UI suggests, never over an existing file.
//!
//! Linux only, where the desktop ships; elsewhere the command says so and the UI's print
//! button (the system dialog, which offers "Save as PDF") remains.

use std::path::{Path, PathBuf};
use tauri::{Manager, Runtime, WebviewWindow};

/// How long a print to file may take before the UI is told it failed.
const PRINT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// `name` as a file name: letters (Korean too), digits, `-`, `_` and `.`, at most 80 of them,
/// ending in `.pdf`.
pub fn safe_file_name(name: &str) -> String {
    let stem: String = name
        .trim()
        .trim_end_matches(".pdf")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .take(80)
        .collect();
    let stem = stem.trim_matches(|c| c == '-' || c == '.');
    if stem.is_empty() {
        "clinicdesk.pdf".to_string()
    } else {
        format!("{stem}.pdf")
    }
}

/// `dir/name`, or `dir/name-2.pdf`, `-3`… — the first that does not exist.
pub fn free_path(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(name);
    if !first.exists() {
        return first;
    }
    let stem = name.trim_end_matches(".pdf");
    (2..10_000)
        .map(|n| dir.join(format!("{stem}-{n}.pdf")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

/// Prints the calling window to a PDF file; answers the file's path.
#[tauri::command]
pub async fn save_pdf<R: Runtime>(
    window: WebviewWindow<R>,
    file_name: String,
) -> Result<String, String> {
    let paths = window.app_handle().path();
    let dir = std::env::var_os("CLINICDESK_PDF_DIR")
        .map(PathBuf::from)
        .or_else(|| paths.document_dir().ok())
        .or_else(|| paths.download_dir().ok())
        .or_else(|| paths.home_dir().ok())
        .ok_or("저장할 폴더를 찾지 못했습니다")?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = free_path(&dir, &safe_file_name(&file_name));
    print_to_file(&window, &path).await?;
    Ok(path.display().to_string())
}

#[cfg(target_os = "linux")]
async fn print_to_file<R: Runtime>(window: &WebviewWindow<R>, path: &Path) -> Result<(), String> {
    use webkit2gtk::PrintOperationExt;
    let uri = url_of(path)?;
    let (done, finished) = tokio::sync::oneshot::channel::<Result<(), String>>();
    let done = std::sync::Arc::new(std::sync::Mutex::new(Some(done)));
    window
        .with_webview(move |webview| {
            let view = webview.inner();
            let op = webkit2gtk::PrintOperation::new(&view);
            let settings = gtk::PrintSettings::new();
            settings.set_printer("Print to File");
            settings.set(gtk::PRINT_SETTINGS_OUTPUT_FILE_FORMAT, Some("pdf"));
            settings.set(gtk::PRINT_SETTINGS_OUTPUT_URI, Some(&uri));
            let setup = gtk::PageSetup::new();
            setup.set_paper_size(&gtk::PaperSize::new(Some(gtk::PAPER_NAME_A4)));
            op.set_page_setup(&setup);
            op.set_print_settings(&settings);
            let answer = move |result: Result<(), String>| {
                if let Some(tx) = done.lock().ok().and_then(|mut d| d.take()) {
                    let _ = tx.send(result);
                }
            };
            let on_fail = answer.clone();
            op.connect_failed(move |_, e| on_fail(Err(e.to_string())));
            // The operation is kept alive by its own closure until it finishes.
            let keep = op.clone();
            op.connect_finished(move |_| {
                let _ = &keep;
                answer(Ok(()));
            });
            op.print();
        })
        .map_err(|e| e.to_string())?;
    match tokio::time::timeout(PRINT_TIMEOUT, finished).await {
        Ok(Ok(Ok(()))) if path.exists() => Ok(()),
        Ok(Ok(Ok(()))) => Err("PDF 파일이 만들어지지 않았습니다".into()),
        Ok(Ok(Err(e))) => Err(format!("PDF로 저장하지 못했습니다: {e}")),
        Ok(Err(_)) | Err(_) => Err("PDF 저장이 끝나지 않았습니다".into()),
    }
}

#[cfg(target_os = "linux")]
fn url_of(path: &Path) -> Result<String, String> {
    tauri::Url::from_file_path(path)
        .map(|u| u.to_string())
        .map_err(|_| format!("{}: 파일 주소로 바꿀 수 없습니다", path.display()))
}

#[cfg(not(target_os = "linux"))]
async fn print_to_file<R: Runtime>(_: &WebviewWindow<R>, _: &Path) -> Result<(), String> {
    Err("이 운영체제에서는 인쇄 창의 'PDF로 저장'을 쓰세요".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_never_overwrite() {
        assert_eq!(
            safe_file_name("환자가이드 P-2026-0001 2026-12-07"),
            "환자가이드-P-2026-0001-2026-12-07.pdf"
        );
        assert_eq!(safe_file_name("../../etc/passwd"), "etc-passwd.pdf");
        assert_eq!(safe_file_name("  "), "clinicdesk.pdf");
        assert_eq!(safe_file_name("guide.pdf"), "guide.pdf");
        let dir = std::env::temp_dir().join(format!("clinicdesk-pdf-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let first = free_path(&dir, "a.pdf");
        assert_eq!(first, dir.join("a.pdf"));
        std::fs::write(&first, b"%PDF").unwrap();
        assert_eq!(free_path(&dir, "a.pdf"), dir.join("a-2.pdf"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
