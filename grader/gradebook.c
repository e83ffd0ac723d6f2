/*
 * gradebook.c - the class's scores in the import formats of two LMSs,
 * with a late penalty.
 *
 * From OUTDIR/STUDENT/report.json (the score) and submission.json (when
 * it was submitted), a roster (which LMS user each submission is) and the
 * rule (--due, --late-penalty), it writes
 *
 *   canvas.csv  Canvas's Gradebook import ("How do I import grades in the
 *               Gradebook?", Canvas Instructor Guide): the columns
 *               Student, ID, SIS User ID, SIS Login ID, Section, then one
 *               column per assignment, its header the assignment's name
 *               (Canvas creates the assignment when no column of that
 *               name exists); a second row "Points Possible", as Canvas's
 *               own export has it.
 *   moodle.csv  Moodle's "Import grades from CSV file" (Moodle docs,
 *               Grade import): a header row; a column that identifies
 *               the user, mapped at import ("Map from" ID number, Email
 *               address or Username to the user field of that name), a
 *               grade column mapped to the grade item, and a feedback
 *               column mapped to its feedback.
 *   late.csv    with --due: per student when, how late, the penalty.
 *
 * The roster (RFC 4180, a header row, columns in any order, names as
 * below, case-insensitive): submission (the student id ipcgrade uses: the
 * folder name, or the file name without .c), name, canvas_id,
 * sis_user_id, sis_login_id, section, email, id_number, username. A
 * submission matches a row by its id, or, for LMS file names
 * NAME_USERID_SUBMISSIONID_FILE (Canvas's bulk download), by USERID
 * against canvas_id. Students not in the roster are left out of both
 * files, and named in the message.
 *
 * Late penalty: days late = whole days started after the due time (one
 * second late is one day), the score loses PERCENT_PER_DAY percent of
 * itself per day, never below zero. The submission time is the newest
 * modification time of the submitted files (submission.json), or the
 * time a --submission-times file gives (id,time).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "csv.h"
#include "file.h"
#include "fs.h"
#include "gradebook.h"
#include "report.h"
#include "str.h"

enum col { C_SUBMISSION, C_NAME, C_CANVAS_ID, C_SIS_USER, C_SIS_LOGIN, C_SECTION, C_EMAIL, C_IDNUM,
	   C_USERNAME, C_COUNT };
static const char *const col_names[C_COUNT] = { "submission", "name", "canvas_id", "sis_user_id",
						 "sis_login_id", "section", "email", "id_number", "username" };

int gradebook_parse_time(const char *s, time_t *out)
{
	struct tm tm;
	const char *end;
	bool utc = false;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	}
	if (!end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%dT%H:%M", &tm);
	}
	if (!end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%d %H:%M", &tm);
	}
	if (!end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%d", &tm);
		if (end) {
			tm.tm_hour = 23;
			tm.tm_min = 59;
			tm.tm_sec = 59;
		}
	}
	if (!end)
		return -EINVAL;
	if (*end == 'Z') {
		utc = true;
		end++;
	}
	if (*end)
		return -EINVAL;
	tm.tm_isdst = -1;
	*out = utc ? timegm(&tm) : mktime(&tm);
	return *out == (time_t)-1 ? -EINVAL : 0;
}

/* NAME_USERID_SUBMISSIONID_FILE: the user id, or NULL. */
static char *lms_user_id(const char *id)
{
	const char *p = id;

	while ((p = strchr(p, '_'))) {
		const char *a = p + 1, *b = a;

		while (isdigit((unsigned char)*b))
			b++;
		if (b > a && *b == '_') {
			const char *c = b + 1;

			while (isdigit((unsigned char)*c))
				c++;
			if (c > b + 1 && (*c == '_' || *c == '\0'))
				return strndup(a, (size_t)(b - a));
		}
		p++;
	}
	return NULL;
}

static int times_load(const char *path, struct csv *c, char *err, size_t errlen);

struct roster {
	struct csv csv;
	int col[C_COUNT];	/* index of each column, -1 absent */
};

static const char *field(const struct roster *r, size_t row, enum col c)
{
	int i = r->col[c];

	return i >= 0 && (size_t)i < r->csv.ncols[row] ? r->csv.rows[row][i] : "";
}

static int roster_load(const char *path, struct roster *r, char *err, size_t errlen)
{
	char *text = NULL;
	int frc = file_read_all(path, 16u << 20, &text, NULL);
	char perr[256];

	if (frc < 0) {
		snprintf(err, errlen, "cannot read the roster '%s': %s", path, strerror(-frc));
		return -1;
	}
	int rc = csv_parse(text, &r->csv, perr, sizeof(perr));

	free(text);
	if (rc < 0) {
		snprintf(err, errlen, "%s:%s", path, perr);
		return -1;
	}
	for (int c = 0; c < C_COUNT; c++)
		r->col[c] = -1;
	for (size_t i = 0; r->csv.nrows && i < r->csv.ncols[0]; i++)
		for (int c = 0; c < C_COUNT; c++)
			if (strcasecmp(r->csv.rows[0][i], col_names[c]) == 0)
				r->col[c] = (int)i;
	if (r->col[C_SUBMISSION] < 0 && r->col[C_CANVAS_ID] < 0) {
		snprintf(err, errlen, "%s:1: the roster needs a header row with a 'submission' or a "
			 "'canvas_id' column (see README: gradebook exports)", path);
		csv_free(&r->csv);
		return -1;
	}
	return 0;
}

int gradebook_check(const struct gradebook_opts *o, char *err, size_t errlen)
{
	struct roster r = { 0 };
	struct csv times = { 0 };

	if (o->roster && roster_load(o->roster, &r, err, errlen) < 0)
		return -1;
	csv_free(&r.csv);
	if (o->submission_times && times_load(o->submission_times, &times, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < times.nrows; i++) {
		time_t t;

		if (times.ncols[i] < 2 || gradebook_parse_time(times.rows[i][1], &t) < 0) {
			snprintf(err, errlen, "%s:%zu: not 'id,time' with a time YYYY-MM-DD[THH:MM[:SS]][Z]",
				 o->submission_times, i + 1);
			csv_free(&times);
			return -1;
		}
	}
	csv_free(&times);
	return 0;
}

static size_t roster_find(const struct roster *r, const char *id)
{
	char *uid = lms_user_id(id);
	size_t found = SIZE_MAX;

	for (size_t row = 1; row < r->csv.nrows && found == SIZE_MAX; row++)
		if (*field(r, row, C_SUBMISSION) && strcmp(field(r, row, C_SUBMISSION), id) == 0)
			found = row;
	for (size_t row = 1; uid && row < r->csv.nrows && found == SIZE_MAX; row++)
		if (strcmp(field(r, row, C_CANVAS_ID), uid) == 0)
			found = row;
	free(uid);
	return found;
}

/* Submission times given by the instructor: id,time rows. */
static int times_load(const char *path, struct csv *c, char *err, size_t errlen)
{
	char *text = NULL;
	int frc = file_read_all(path, 16u << 20, &text, NULL);
	char perr[256];

	if (frc < 0) {
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(-frc));
		return -1;
	}
	int rc = csv_parse(text, c, perr, sizeof(perr));

	free(text);
	if (rc < 0)
		snprintf(err, errlen, "%s:%s", path, perr);
	return rc;
}

static int submitted_at(const char *outdir, const char *id, const struct csv *times, time_t *t,
			char *err, size_t errlen)
{
	for (size_t r = 0; times && r < times->nrows; r++)
		if (times->ncols[r] >= 2 && strcmp(times->rows[r][0], id) == 0) {
			if (gradebook_parse_time(times->rows[r][1], t) < 0) {
				snprintf(err, errlen, "submission times, line %zu: '%s' is not a time "
					 "(YYYY-MM-DDTHH:MM[:SS][Z])", r + 1, times->rows[r][1]);
				return -1;
			}
			return 1;
		}
	char *path = str_printf("%s/%s/submission.json", outdir, id);
	json_t *j = path ? json_load_file(path, 0, NULL) : NULL;
	json_int_t when = json_integer_value(json_object_get(j, "newest_mtime_epoch"));

	free(path);
	json_decref(j);
	*t = (time_t)when;
	return when > 0;
}

struct entry {
	char *id;
	double score, max, final, penalty;
	long days;
	time_t when;
	bool have_when;
	size_t row;
};

static int by_entry_id(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->id, ((const struct entry *)b)->id);
}

static int write_csv(const char *outdir, const char *name, const char *text, size_t len, char *err,
		     size_t errlen)
{
	char *path = fs_path_join(outdir, name);
	int rc = path && file_write_atomic(path, text, len) == 0 ? 0 : -1;

	if (rc < 0)
		snprintf(err, errlen, "cannot write %s/%s: %s", outdir, name, strerror(errno));
	free(path);
	return rc;
}

int gradebook_write(const char *outdir, const struct gradebook_opts *o, char *err, size_t errlen)
{
	struct roster r = { 0 };
	struct csv times = { 0 };
	struct entry *v = NULL;
	size_t n = 0;
	char *canvas = NULL, *moodle = NULL, *late = NULL;
	size_t clen = 0, mlen = 0, llen = 0;
	FILE *fc = NULL, *fm = NULL, *fl = NULL;
	char *assignment = NULL;
	double max_all = 0;
	int rc = -1;
	DIR *d;
	struct dirent *e;

	if (o->roster && roster_load(o->roster, &r, err, errlen) < 0)
		return -1;
	if (o->submission_times && times_load(o->submission_times, &times, err, errlen) < 0)
		goto out;
	d = opendir(outdir);
	while (d && (e = readdir(d))) {
		char *rp = e->d_name[0] == '.' ? NULL : str_printf("%s/%s/report.json", outdir, e->d_name);
		json_t *j = rp ? json_load_file(rp, 0, NULL) : NULL;
		struct entry *g;

		free(rp);
		if (!j || !(g = realloc(v, (n + 1) * sizeof(*g)))) {
			json_decref(j);
			continue;
		}
		v = g;
		v[n] = (struct entry){ .id = strdup(e->d_name), .row = SIZE_MAX };
		v[n].score = json_number_value(json_object_get(j, "score"));
		v[n].max = json_number_value(json_object_get(j, "max_score"));
		if (v[n].max > max_all)
			max_all = v[n].max;
		if (!assignment)
			assignment = strdup(json_string_value(json_object_get(json_object_get(j, "spec"),
									       "assignment")) ?: "ipcgrade");
		json_decref(j);
		if (v[n].id)
			n++;
	}
	if (d)
		closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), by_entry_id);
	for (size_t i = 0; i < n; i++) {
		int got = submitted_at(outdir, v[i].id, o->submission_times ? &times : NULL, &v[i].when, err, errlen);

		if (got < 0)
			goto out;
		v[i].have_when = got > 0;
		v[i].final = v[i].score;
		if (o->due && v[i].have_when && v[i].when > o->due) {
			v[i].days = (long)((v[i].when - o->due + 86399) / 86400);
			v[i].penalty = fmin(100.0, (double)v[i].days * o->penalty_per_day);
			v[i].final = v[i].score * (1.0 - v[i].penalty / 100.0);
		}
		v[i].final = round(v[i].final * 100.0) / 100.0;
		if (o->roster)
			v[i].row = roster_find(&r, v[i].id);
	}
	const char *column = o->assignment_column ? o->assignment_column : assignment ? assignment : "ipcgrade";

	if (o->roster) {
		size_t missing = 0;

		fc = open_memstream(&canvas, &clen);
		fm = open_memstream(&moodle, &mlen);
		if (!fc || !fm)
			goto oom;
		fputs("Student,ID,SIS User ID,SIS Login ID,Section,", fc);
		csv_field(fc, column);
		fprintf(fc, "\r\n    Points Possible,,,,,%.4g\r\n", max_all);
		fputs("Name,ID number,Email address,Username,", fm);
		csv_field(fm, column);
		fputc(',', fm);
		char *fb = str_printf("%s (feedback)", column);

		csv_field(fm, fb ? fb : "feedback");
		free(fb);
		fputs("\r\n", fm);
		for (size_t i = 0; i < n; i++) {
			char score[32], feedback[160];

			if (v[i].row == SIZE_MAX) {
				if (missing++ < 10)
					fprintf(stderr, "gradebook: '%s' is not in the roster: left out of canvas.csv and "
						"moodle.csv\n", v[i].id);
				continue;
			}
			snprintf(score, sizeof(score), "%.4g", v[i].final);
			if (v[i].days)
				snprintf(feedback, sizeof(feedback), "%.4g / %.4g, %ld day%s late: -%.4g%%", v[i].score,
					 v[i].max, v[i].days, v[i].days == 1 ? "" : "s", v[i].penalty);
			else
				snprintf(feedback, sizeof(feedback), "%.4g / %.4g", v[i].score, v[i].max);
			const char *cf[] = { field(&r, v[i].row, C_NAME), field(&r, v[i].row, C_CANVAS_ID),
					     field(&r, v[i].row, C_SIS_USER), field(&r, v[i].row, C_SIS_LOGIN),
					     field(&r, v[i].row, C_SECTION), score };
			const char *mf[] = { field(&r, v[i].row, C_NAME), field(&r, v[i].row, C_IDNUM),
					     field(&r, v[i].row, C_EMAIL), field(&r, v[i].row, C_USERNAME), score,
					     feedback };

			for (size_t k = 0; k < 6; k++) {
				if (k)
					fputc(',', fc);
				csv_field(fc, cf[k]);
			}
			fputs("\r\n", fc);
			for (size_t k = 0; k < 6; k++) {
				if (k)
					fputc(',', fm);
				csv_field(fm, mf[k]);
			}
			fputs("\r\n", fm);
		}
		if (missing > 10)
			fprintf(stderr, "gradebook: %zu more students are not in the roster\n", missing - 10);
		if (fclose(fc) != 0 || fclose(fm) != 0) {
			fc = fm = NULL;
			goto oom;
		}
		fc = fm = NULL;
		if (write_csv(outdir, "canvas.csv", canvas, clen, err, errlen) < 0 ||
		    write_csv(outdir, "moodle.csv", moodle, mlen, err, errlen) < 0)
			goto out;
	}
	if (o->due) {
		char due[32];

		fl = open_memstream(&late, &llen);
		if (!fl)
			goto oom;
		strftime(due, sizeof(due), "%Y-%m-%dT%H:%M:%SZ", gmtime(&o->due));
		fprintf(fl, "student,submitted,due,days_late,penalty_percent,score,final\r\n");
		for (size_t i = 0; i < n; i++) {
			char when[32] = "";

			if (v[i].have_when)
				strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&v[i].when));
			csv_field(fl, v[i].id);
			fprintf(fl, ",%s,%s,%ld,%.4g,%.4g,%.4g\r\n", when, due, v[i].days, v[i].penalty, v[i].score,
				v[i].final);
		}
		if (fclose(fl) != 0) {
			fl = NULL;
			goto oom;
		}
		fl = NULL;
		if (write_csv(outdir, "late.csv", late, llen, err, errlen) < 0)
			goto out;
	}
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	if (fc)
		fclose(fc);
	if (fm)
		fclose(fm);
	if (fl)
		fclose(fl);
	free(canvas);
	free(moodle);
	free(late);
	free(assignment);
	for (size_t i = 0; i < n; i++)
		free(v[i].id);
	free(v);
	csv_free(&r.csv);
	csv_free(&times);
	return rc;
}
