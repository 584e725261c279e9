"""Dossier benchmark (issue #7): `python bench/dossier_bench.py` (options: --help).

1. Builds a fresh SQLite database (or uses --database-url) with the demo and, for the reference trainee
   (`trainee`), three years of records: ~600 approved activities (plus whatever the demo of other
   features provides: stages, competitions...).
2. Times WeasyPrint on one dossier: median and p95 over --runs, pages, bytes, peak RSS.
3. In the same run, times headless Chromium printing the same HTML (`chromium --headless --print-to-pdf`,
   the whole process) and reports its file size.
4. Times a real batch of --batch dossiers (default 200: the demo's trainees, cycled) through the batch job
   and its process pool (--workers processes).
Writes bench/dossier_results.json.
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def chromium_print(html: str, static_dir: Path, workdir: Path) -> tuple[float, int] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        return None
    page = workdir / "dossier.html"
    # The same HTML; its root-relative asset URLs (/static/...) point at the static folder on disk.
    page.write_text(html.replace('href="/static/', f'href="file://{static_dir}/'), encoding="utf-8")
    out = workdir / "chromium.pdf"
    started = time.perf_counter()
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={out}", page.as_uri()], capture_output=True, timeout=300, check=False)
    seconds = time.perf_counter() - started
    return (seconds, out.stat().st_size) if out.exists() else None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--entries", type=int, default=600)
    parser.add_argument("--batch", type=int, default=200, help="dossiers in the batch run (default 200)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes for the batch (default 2)")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="dossier-bench-"))
    os.environ["INSTANCE_DIR"] = str(workdir / "instance")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    os.environ.pop("REDIS_URL", None)

    from flask_migrate import upgrade

    from trainee import create_app
    from trainee.auth.models import User
    from trainee.core.time import local_today
    from trainee.demo import seed_demo
    from trainee.dossiers import jobs, operations, render, sections
    from trainee.dossiers.models import DossierJob, DossierVariant
    from trainee.dossiers.sample import add_approved_activities
    from trainee.extensions import db
    from trainee.org.models import Unit

    app = create_app()
    results = {}
    with app.app_context():
        started = time.perf_counter()
        upgrade()
        seed_demo()
        user = db.session.execute(db.select(User).where(User.username == "trainee")).scalar_one()
        hr = db.session.execute(db.select(User).where(User.username == "hr")).scalar_one()
        add_approved_activities(user.person, entries=args.entries, years=3)
        print(f"data: demo + {args.entries} approved entries for {user.person.name} "
              f"({time.perf_counter() - started:.1f}s)")

        times, printed = [], None
        for _ in range(args.runs):
            t0 = time.perf_counter()
            printed = operations.produce(hr, user.person)
            times.append(time.perf_counter() - t0)
        single = {"median_s": round(statistics.median(times), 3), "p95_s": round(p95(times), 3),
                  "min_s": round(min(times), 3), "pages": printed.record.page_count, "bytes": len(printed.data),
                  "peak_rss_mb": round(peak_rss_mb(), 1), "runs": args.runs}
        t0 = time.perf_counter()
        pdfa = operations.produce(hr, user.person, DossierVariant.PDFA)
        single["pdfa_s"], single["pdfa_bytes"] = round(time.perf_counter() - t0, 3), len(pdfa.data)
        (workdir / "weasyprint.pdf").write_bytes(printed.data)
        results["single"] = single
        print(f"WeasyPrint: median {single['median_s']}s p95 {single['p95_s']}s, {single['pages']} pages, "
              f"{single['bytes'] / 1024:.0f} KB, peak RSS {single['peak_rss_mb']} MB; PDF/A {single['pdfa_s']}s")

        ctx = sections.DossierContext(today=local_today(), code=printed.record.code)
        html = render.render_html(user.person, ctx)
        chrome = chromium_print(html, Path(app.static_folder), workdir)
        if chrome:
            results["chromium"] = {"seconds": round(chrome[0], 3), "bytes": chrome[1]}
            print(f"Chromium (whole process, same HTML): {chrome[0]:.2f}s, {chrome[1] / 1024:.0f} KB")
        else:
            print("Chromium not found: comparison skipped")

        # A real batch of --batch dossiers through the job runner and its process pool: every active
        # trainee of the demo city (the reference trainee excluded: her 600 entries are the single test),
        # cycled until there are --batch of them (repeated names in the ZIP only warn).
        import warnings

        from trainee.org.models import Person, PersonStatus, Position

        warnings.filterwarnings("ignore", message="Duplicate name")
        ids = db.session.execute(db.select(Person.id).where(
            Person.position == Position.ASSISTANT, Person.status == PersonStatus.ACTIVE,
            Person.id != user.person_id).order_by(Person.staff_no)).scalars().all()
        person_ids = [ids[i % len(ids)] for i in range(args.batch)]
        unit = db.session.execute(db.select(Unit).where(Unit.parent_id.is_(None))).scalars().first()
        app.config["DOSSIER_PROCESSES"] = args.workers
        job = DossierJob(created_by_id=hr.id, scope_kind="unit", scope_id=unit.id, scope_label=unit.name,
                         unit_id=unit.id, person_ids=person_ids, total=len(person_ids))
        db.session.add(job)
        db.session.commit()
        load_before = os.getloadavg()[0]
        t0 = time.perf_counter()
        jobs.run_job(job.id)
        batch_s = time.perf_counter() - t0
        db.session.commit()
        job = db.session.get(DossierJob, job.id)
        results["batch"] = {"dossiers": job.done, "distinct_people": len(ids), "failed": job.failed,
                            "seconds": round(batch_s, 2), "per_dossier_s": round(batch_s / max(job.done, 1), 3),
                            "zip_bytes": Path(job.result_path).stat().st_size if job.result_path else 0,
                            "processes": args.workers, "target_s": 240, "load_average_before": load_before}
        print(f"batch: {job.done} dossiers ({len(ids)} people cycled) on {args.workers} processes in "
              f"{batch_s:.1f}s (target 240s), {job.failed} failed")
    results["load_average"] = os.getloadavg()
    results["cpus"] = os.cpu_count()
    out = ROOT / "bench" / "dossier_results.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"written {out}; files in {workdir}")


if __name__ == "__main__":
    main()
